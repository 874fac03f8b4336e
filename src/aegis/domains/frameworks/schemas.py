"""Framework, requirement and mapping schemas."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from aegis.domains.common.bounds import Id
from aegis.domains.common.listing import ListQuery
from aegis.domains.common.text import MultiLine, SingleLine
from aegis.domains.frameworks.labels import (
    SHORT,
    readable_text,
    repeats_reference,
    requirement_label,
    requirement_title,
    shorten,
)
from aegis.models.enums import MappingRelationship

MAX_IMPORT_BYTES = 50 * 1024 * 1024


def _normal_key(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


FrameworkKey = Annotated[
    str,
    BeforeValidator(_normal_key),
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$"),
]
Version = Annotated[
    SingleLine, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)
]


class ImportFormat(StrEnum):
    """File formats a framework can be imported from."""

    OSCAL = "oscal"
    CSV = "csv"


class FrameworkCreate(BaseModel):
    """A new, empty custom framework."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id
    key: FrameworkKey
    name: SingleLine = Field(min_length=1, max_length=300)
    version: Version
    description: MultiLine = Field("", max_length=20000)
    source: SingleLine = Field("", max_length=500)


class FrameworkUpdate(BaseModel):
    """Changes to a framework; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id | None = None
    key: FrameworkKey | None = None
    name: SingleLine | None = Field(None, min_length=1, max_length=300)
    version: Version | None = None
    description: MultiLine | None = Field(None, max_length=20000)
    source: SingleLine | None = Field(None, max_length=500)


class FrameworkRead(BaseModel):
    """A framework as shown to its readers."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_id: int
    key: str
    name: str
    version: str
    description: str
    source: str
    catalog_uuid: str | None = Field(
        None, description="The uuid of the OSCAL catalog it was imported from, if any"
    )
    requirement_count: int = 0
    created_at: datetime
    updated_at: datetime


class FrameworkQuery(ListQuery):
    """Filters of the framework list."""

    q: SingleLine | None = Field(None, max_length=200)
    key: SingleLine | None = Field(None, max_length=100)


class Labelled:
    """The labels of a requirement shown to people, from its reference and title."""

    if TYPE_CHECKING:
        ref_id: str
        title: str

    @property
    def label(self) -> str:
        """'REF — title', whole: for headings and details."""
        return requirement_label(self.ref_id, self.title)

    @property
    def short_label(self) -> str:
        """'REF — title' shortened for lists and pickers."""
        return requirement_label(self.ref_id, self.title, SHORT)

    @property
    def short_title(self) -> str:
        """The title shortened for a list beside the reference; empty if it only repeats it."""
        return "" if repeats_reference(self.ref_id, self.title) else shorten(self.title)


class RequirementRead(Labelled, BaseModel):
    """One node of a framework's requirement tree (title: its statement if it has no other)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    framework_id: int
    parent_id: int | None
    ref_id: str
    title: str
    text: str
    assessable: bool
    position: int

    @model_validator(mode="after")
    def _readable(self) -> RequirementRead:
        self.title = requirement_title(self.ref_id, self.title, self.text)
        self.text = readable_text(self.text)
        return self


def _no_spaces(value: str) -> str:
    if any(c.isspace() for c in value):
        raise ValueError("must not contain spaces")
    return value


RefId = Annotated[
    SingleLine,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_no_spaces),
]


class RequirementCreate(BaseModel):
    """A new requirement of a framework, at the top level or below another one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ref_id: RefId
    parent_id: Id | None = None
    title: SingleLine = Field(min_length=1, max_length=500)
    text: MultiLine = Field("", max_length=20000)
    assessable: bool = True


class RequirementUpdate(BaseModel):
    """Changes to a requirement; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ref_id: RefId | None = None
    parent_id: Id | None = None
    title: SingleLine | None = Field(None, min_length=1, max_length=500)
    text: MultiLine | None = Field(None, max_length=20000)
    assessable: bool | None = None


class RequirementQuery(ListQuery):
    """Filters of a framework's requirement list (sorted by position by default)."""

    parent_id: Id | None = None
    top_level: bool | None = None
    assessable: bool | None = None
    q: SingleLine | None = Field(None, max_length=200)


class RequirementRef(Labelled, BaseModel):
    """A requirement named by its framework, reference and title."""

    id: int
    framework_id: int
    ref_id: str
    title: str


class RequirementMappingCreate(BaseModel):
    """A new relationship from one requirement to another."""

    model_config = ConfigDict(extra="forbid")

    source_id: Id
    target_id: Id
    relationship: MappingRelationship


class RequirementMappingRead(BaseModel):
    """A relationship between two requirements."""

    id: int
    relationship: MappingRelationship
    source: RequirementRef
    target: RequirementRef


class RequirementMappingQuery(ListQuery):
    """Filters of the mapping list; requirement_id and framework_id match either side."""

    requirement_id: Id | None = None
    source_id: Id | None = None
    target_id: Id | None = None
    framework_id: Id | None = None
    relationship: MappingRelationship | None = None


class MappingImportResult(BaseModel):
    """What a mapping import changed."""

    created: int
    updated: int
    unchanged: int


class CoveringRequirement(Labelled, BaseModel):
    """A requirement of another framework that covers one of ours (equal to it, or wider)."""

    covered_id: int
    id: int
    framework_id: int
    framework_name: str
    unit_id: int
    ref_id: str
    title: str
    relationship: MappingRelationship = Field(description="How it relates to the covered one")


def _counted(parts: tuple[tuple[int, str, str], ...]) -> list[str]:
    return [f"{n} {one if n == 1 else many}" for n, one, many in parts if n]


def _listing(words: list[str]) -> str:
    """'a, b and c'."""
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


class RequirementUsage(BaseModel):
    """What refers to one requirement."""

    controls: int = 0
    evidence: int = 0
    results: int = 0
    mappings: int = 0
    children: int = 0
    comments: int = Field(0, description="Comments and auditor notes of assessments on it")
    owners: int = Field(0, description="People answering it in assessments")
    assessments: int = Field(
        0, description="Assessments holding its results, comments or owners (one requirement)"
    )

    @property
    def in_use(self) -> bool:
        """Whether anything refers to the requirement."""
        return self.blocking or self.has_work

    @property
    def blocking(self) -> bool:
        """Whether other objects link to it: those links are removed first, by hand."""
        return any((self.controls, self.evidence, self.mappings, self.children))

    @property
    def has_work(self) -> bool:
        """Whether assessments hold results, comments or owners of it."""
        return any((self.results, self.comments, self.owners))

    @property
    def summary(self) -> str:
        """'2 controls, 1 assessment result', in words."""
        return ", ".join(self._links() + self._work())

    @property
    def blocking_summary(self) -> str:
        """'2 controls, 1 sub-requirement', in words."""
        return ", ".join(self._links())

    @property
    def work_summary(self) -> str:
        """'3 assessment results, 2 comments and 1 owner in 2 assessments', in words."""
        work = self._work()
        if not work:
            return ""
        where = _counted(((self.assessments, "assessment", "assessments"),))
        return _listing(work) + (f" in {where[0]}" if where else "")

    def _links(self) -> list[str]:
        return _counted(
            (
                (self.controls, "control", "controls"),
                (self.evidence, "piece of evidence", "pieces of evidence"),
                (self.mappings, "mapping to another requirement", "mappings to other requirements"),
                (self.children, "sub-requirement", "sub-requirements"),
            )
        )

    def _work(self) -> list[str]:
        return _counted(
            (
                (self.results, "assessment result", "assessment results"),
                (self.comments, "comment", "comments"),
                (self.owners, "owner", "owners"),
            )
        )


class FrameworkUsage(BaseModel):
    """What refers to a framework and its requirements."""

    assessments: int = 0
    control_mappings: int = 0
    evidence_links: int = 0

    @property
    def in_use(self) -> bool:
        """Whether anything keeps the framework from being deleted."""
        return any((self.assessments, self.control_mappings, self.evidence_links))

    @property
    def summary(self) -> str:
        """'2 assessments and 5 control mappings', in words."""
        parts = [
            f"{n} {one if n == 1 else many}"
            for n, one, many in (
                (self.assessments, "assessment", "assessments"),
                (self.control_mappings, "control mapping", "control mappings"),
                (self.evidence_links, "evidence link", "evidence links"),
            )
            if n
        ]
        return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


class CatalogEntry(Labelled, BaseModel):
    """A requirement named in a catalog update, with what changed or what still uses it."""

    ref_id: str
    title: str
    changes: list[str] = Field(default_factory=list, description="title, text, parent, group")
    usage: RequirementUsage | None = None


class CatalogDiff(BaseModel):
    """What updating a framework from a file changes (applied, or only previewed)."""

    framework_id: int
    applied: bool
    added: list[CatalogEntry]
    changed: list[CatalogEntry]
    removed: list[CatalogEntry]
    kept: list[CatalogEntry] = Field(
        description="Gone from the file but kept because something still uses them"
    )

    @property
    def empty(self) -> bool:
        """Whether the file changes nothing (requirements kept in use are no change)."""
        return not (self.added or self.changed or self.removed)
