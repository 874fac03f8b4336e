"""Requirements found by a text search across the frameworks shared with the caller."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aegis.core.authz import Principal
from aegis.domains.common.matches import (
    SPACES,
    Match,
    Matches,
    excerpt,
    first_rows,
    matched_text,
)
from aegis.domains.frameworks import repository as repo
from aegis.domains.frameworks.labels import repeats_reference
from aegis.domains.frameworks.schemas import RequirementRead


def _statement(read: RequirementRead, stored_title: str, text: str) -> str:
    """What the requirement says beyond its title, around the match if there is one."""
    if repeats_reference(read.ref_id, stored_title):
        return matched_text(text, read.short_label, read.text)
    statement = SPACES.sub(" ", read.text).strip()
    title = SPACES.sub(" ", read.title).strip().rstrip(".")
    if title and statement.lower().startswith(title.lower()):
        statement = statement[len(title) :].lstrip(" .:;")
    return excerpt(statement, text) if statement else ""


def find_requirements(
    *, session: Session, principal: Principal, text: str, limit: int, offset: int = 0
) -> Matches:
    """Requirements whose reference, title or statement contains the text, by framework."""
    rows, total = first_rows(session, repo.shared_requirements(principal, text), limit, offset)
    items = []
    for requirement, framework_name in rows:
        read = RequirementRead.model_validate(requirement)
        items.append(
            Match(
                id=read.id,
                title=read.short_label,
                framework_id=read.framework_id,
                labels=[framework_name],
                excerpt=_statement(read, requirement.title, text),
            )
        )
    return Matches(total=total, items=items)
