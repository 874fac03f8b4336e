"""Importing frameworks from CSV: the format, its checks and the row numbers in errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from aegis.core.errors import ValidationFailed
from aegis.domains.frameworks import service
from aegis.domains.frameworks.schemas import RequirementQuery
from aegis.domains.frameworks.tabular import parse_requirements
from aegis.models import Framework, Requirement

HEADER = "id,parent,title,text\n"


def _import(db, world, content: str | bytes, **fields):
    data = content.encode() if isinstance(content, str) else content
    params = {"name": "Custom", "key": "custom", "version": "1", **fields}
    return service.import_csv(
        session=db, principal=None, unit_id=world.units["division-a"], content=data, **params
    )


def _requirements(db, framework_id: int) -> list[tuple[str, str | None, bool, int]]:
    page = service.list_requirements(
        session=db, principal=None, framework_id=framework_id, query=RequirementQuery(limit=200)
    )
    by_id = {r.id: r.ref_id for r in page.items}
    return [(r.ref_id, by_id.get(r.parent_id or 0), r.assessable, r.position) for r in page.items]


def test_parents_may_come_before_or_after_their_children_siblings_keep_file_order(
    db, world
) -> None:
    content = HEADER + "A.1,A,First,Do one\nB,,Second area,\nA,,Area,About A\nA.2,A,Second,\n"
    framework = _import(db, world, content)
    assert framework.requirement_count == 4
    assert _requirements(db, framework.id) == [
        ("B", None, True, 0),
        ("A", None, False, 1),
        ("A.1", "A", True, 2),
        ("A.2", "A", True, 3),
    ]


def test_an_assessable_column_overrides_the_default(db, world) -> None:
    content = "id,parent,title,text,assessable\nA,,Area,,yes\nA.1,A,Item,,no\n"
    framework = _import(db, world, content)
    assert [(ref, flag) for ref, _, flag, _ in _requirements(db, framework.id)] == [
        ("A", True),
        ("A.1", False),
    ]


def test_columns_in_any_order_with_bom_crlf_quotes_and_blank_lines(db, world) -> None:
    content = '\ufefftitle,TEXT,Id,parent\r\n"Area, one","Line 1\nLine 2",A,\r\n\r\n,,,\r\n'
    framework = _import(db, world, content.encode())
    requirement = service.list_requirements(
        session=db, principal=None, framework_id=framework.id, query=RequirementQuery()
    ).items[0]
    assert (requirement.ref_id, requirement.title, requirement.text) == (
        "A",
        "Area, one",
        "Line 1\nLine 2",
    )


def test_an_empty_title_reads_as_the_statement_else_the_id(db, world) -> None:
    content = HEADER + "GV.OC-01,,,The mission is understood\nGV.OC-02,,,\n"
    framework = _import(db, world, content)
    first, second = service.list_requirements(
        session=db, principal=None, framework_id=framework.id, query=RequirementQuery()
    ).items
    assert first.title == "The mission is understood"
    assert first.label == "GV.OC-01 — The mission is understood"
    assert (second.title, second.label, second.short_title) == ("GV.OC-02", "GV.OC-02", "")


def _problems(content: str | bytes) -> tuple[str, list[dict]]:
    with pytest.raises(ValidationFailed) as caught:
        parse_requirements(content.encode() if isinstance(content, str) else content)
    return caught.value.message, caught.value.details


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        ("", "row 1", "the file is empty"),
        ("id,title,text\nA,A,\n", "row 1", "missing column(s): parent"),
        ("ID;PARENT;TITLE;TEXT\n", "row 1", "missing column(s): id, parent, title, text"),
        (HEADER.strip() + ",owner\n", "row 1", "unknown column(s): owner"),
        ("id,parent,title,text,id\n", "row 1", "a column appears twice"),
        (HEADER + "A,,A,\nB,,B\n", "row 3", "3 fields, the header has 4"),
        (HEADER + "A,,A,\n,A,No id,\n", "row 3", "the id is empty"),
        (HEADER + "A,,A,\nB,,B,\na,,Again,\n", "row 4", "id 'a' repeats row 2"),
        (HEADER + "A,,A,\nB,Z,B,\n", "row 3", "parent 'Z' is not an id of the file"),
        (HEADER + "A,A,Self,\n", "row 2", "parents form a cycle: A → A"),
        (
            HEADER + "R,,Root,\nA,B,A,\nB,C,B,\nC,A,C,\n",
            "row 3",
            "parents form a cycle: A → B → C → A",
        ),
        (
            "id,parent,title,text,assessable\nA,,A,,maybe\n",
            "row 2",
            "assessable must be true or false",
        ),
        (HEADER + "A,," + "t" * 501 + ",\n", "row 2", "the title is longer than 500 characters"),
        (HEADER + "x" * 101 + ",,T,\n", "row 2", "the id is longer than 100 characters"),
    ],
)
def test_bad_files_are_rejected_with_the_row(content: str, where: str, message: str) -> None:
    summary, details = _problems(content)
    assert summary.startswith(f"Invalid requirements CSV: {where}: {message}")
    assert (details[0]["field"], details[0]["where"]) == ("file", where)
    assert details[0]["message"].startswith(message)


def test_every_problem_is_listed() -> None:
    summary, details = _problems(HEADER + "A,X,A,\nB,Y,B,\nC,Z,C,\n")
    assert summary.endswith("(and 2 more problems)")
    assert [d["where"] for d in details] == ["row 2", "row 3", "row 4"]


def test_a_file_that_is_not_utf8_is_rejected() -> None:
    summary, _ = _problems(HEADER.encode() + "A,,Caf\xe9,\n".encode("latin-1"))
    assert summary == "Invalid requirements CSV: the file is not UTF-8 text"


def test_trees_deeper_than_12_levels_are_rejected() -> None:
    rows = "".join(f"L{i},{f'L{i - 1}' if i else ''},Level {i},\n" for i in range(13))
    summary, _ = _problems(HEADER + rows)
    assert "row 14: the tree is deeper than 12 levels" in summary


def test_an_unreadable_csv_is_rejected() -> None:
    summary, _ = _problems(HEADER + 'A,,"' + "x" * 200_000 + '",\n')
    assert "unreadable CSV" in summary


def test_a_rejected_csv_writes_nothing(db, world) -> None:
    before = db.scalar(select(func.count()).select_from(Requirement))
    with pytest.raises(ValidationFailed):
        _import(db, world, HEADER + "A,,A,\nA,,A,\n")
    assert db.scalar(select(func.count()).select_from(Requirement)) == before
    assert db.scalar(select(func.count()).where(Framework.key == "custom")) == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"key": "Not a key!"}, "key"), ({"version": ""}, "version"), ({"name": ""}, "name")],
)
def test_framework_fields_are_checked(db, world, fields: dict, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _import(db, world, HEADER + "A,,A,\n", **fields)
    assert [d["field"] for d in caught.value.details] == [field]


@given(st.data())
@settings(max_examples=60, deadline=None)
def test_any_forest_in_any_row_order_keeps_its_parents(data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=1, max_value=12))  # at most 12 levels deep
    parents = [data.draw(st.sampled_from([None, *range(i)])) if i else None for i in range(size)]
    order = data.draw(st.permutations(range(size)))
    rows = "".join(
        f"N{i},{'' if parents[i] is None else f'N{parents[i]}'},Node {i},\n" for i in order
    )
    nodes = parse_requirements((HEADER + rows).encode())
    assert {n.ref_id: n.parent_ref for n in nodes} == {
        f"N{i}": None if p is None else f"N{p}" for i, p in enumerate(parents)
    }
    seen: set[str] = set()
    for node in nodes:
        assert node.parent_ref is None or node.parent_ref in seen
        assert node.assessable == (not node.children)
        seen.add(node.ref_id)
