"""docs/security/asvs.md stays true: every requirement has a row, and every test it names exists."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "security" / "asvs.md"
STATUSES = ("Met", "Met by design", "Operator", "Not applicable", "Not yet met")
CHAPTERS = {
    "V2": "V2 Authentication",
    "V3": "V3 Session management",
    "V4": "V4 Access control",
    "V5": "V5 Validation, sanitization, encoding",
    "V7": "V7 Errors and logging",
    "V8": "V8 Data protection",
    "V12": "V12 Files and resources",
    "V13": "V13 API",
}

# ASVS 4.0.3, level 2, chapters V2 V3 V4 V5 V7 V8 V12 V13: the numbers of each section's
# requirements, without those deleted from the standard and those of level 3 only.
LEVEL_2 = {
    "V2.1": range(1, 13),
    "V2.2": range(1, 4),
    "V2.3": range(1, 4),
    "V2.4": range(1, 7),
    "V2.5": range(1, 8),
    "V2.6": range(1, 4),
    "V2.7": range(1, 7),
    "V2.8": range(1, 8),
    "V2.9": range(1, 4),
    "V2.10": range(1, 5),
    "V3.1": (1,),
    "V3.2": range(1, 5),
    "V3.3": range(1, 5),
    "V3.4": range(1, 6),
    "V3.5": range(1, 4),
    "V3.7": (1,),
    "V4.1": (1, 2, 3, 5),
    "V4.2": (1, 2),
    "V4.3": (1, 2, 3),
    "V5.1": range(1, 6),
    "V5.2": range(1, 9),
    "V5.3": range(1, 11),
    "V5.4": range(1, 4),
    "V5.5": range(1, 5),
    "V7.1": range(1, 5),
    "V7.2": (1, 2),
    "V7.3": (1, 3, 4),
    "V7.4": range(1, 4),
    "V8.1": range(1, 5),
    "V8.2": range(1, 4),
    "V8.3": range(1, 9),
    "V12.1": range(1, 4),
    "V12.2": (1,),
    "V12.3": range(1, 7),
    "V12.4": (1, 2),
    "V12.5": (1, 2),
    "V12.6": (1,),
    "V13.1": (1, 3, 4, 5),
    "V13.2": (1, 2, 3, 5, 6),
    "V13.3": (1, 2),
    "V13.4": (1, 2),
}
EXPECTED = [f"{section}.{number}" for section, numbers in LEVEL_2.items() for number in numbers]

ROW = re.compile(r"^\| (V\d+\.\d+\.\d+) \|")
STATUS = re.compile(r"^\*\*(?P<status>[^*]+)\*\*(?P<rest>.*)$")
NODE_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:::(\w+))?(?:\[[^\]`]*\])?`")
LINK = re.compile(r"\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Row:
    """One requirement row: its id, what it asks, its status, the rest of the status, proof."""

    id: str
    requirement: str
    status: str
    explanation: str
    proof: str

    @property
    def chapter(self) -> str:
        return self.id.split(".")[0]


@cache
def _text() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


@cache
def _rows() -> tuple[Row, ...]:
    rows = []
    for line in _text().splitlines():
        if not ROW.match(line):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 4, f"a row has id, requirement, status and proof: {line}"
        match = STATUS.match(cells[2])
        assert match, f"{cells[0]}: the status starts with one of {STATUSES} in bold"
        rest = match["rest"].strip()
        rows.append(Row(cells[0], cells[1], match["status"], rest, cells[3]))
    return tuple(rows)


@cache
def _functions(module: str) -> frozenset[str]:
    """`name` for each test function of a module, `Class::name` for each test method."""
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return frozenset(names)


def _slug(heading: str) -> str:
    """The anchor a Markdown heading gets: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {_slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def test_every_level_2_requirement_has_exactly_one_row_in_order() -> None:
    ids = [row.id for row in _rows()]
    assert len(EXPECTED) == 166
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert sorted(set(EXPECTED) - set(ids)) == [], "requirements without a row"
    assert sorted(set(ids) - set(EXPECTED)) == [], "rows of no level 2 requirement"
    assert ids == EXPECTED, "rows follow the standard's order"


def test_every_row_has_a_status_and_says_why_unless_met() -> None:
    for row in _rows():
        assert row.status in STATUSES, f"{row.id}: unknown status {row.status!r}"
        assert row.requirement.endswith(".") and len(row.requirement) > 15, row.id
        if row.status != "Met":
            assert row.explanation.startswith(":") and len(row.explanation) > 10, (
                f"{row.id}: '{row.status}' says why after a colon"
            )


def test_met_rows_name_the_tests_that_prove_them_and_others_say_what_remains() -> None:
    for row in _rows():
        named = NODE_ID.findall(row.proof)
        if row.status == "Met":
            assert named, f"{row.id} is met: name the tests that prove it"
        if row.status == "Operator":
            assert LINK.search(row.explanation), f"{row.id}: link what the operator must do"
        assert not NODE_ID.sub("", row.proof).replace("<br>", "").strip(), (
            f"{row.id}: the proof column holds only test node ids"
        )


def test_every_test_named_exists() -> None:
    named = NODE_ID.findall(_text())
    assert len(named) > 100
    missing = []
    for module, name, method in named:
        if not (ROOT / module).is_file():
            missing.append(f"{module} (no such file)")
            continue
        wanted = f"{name}::{method}" if method else name
        if not (method or name).startswith("test_") or wanted not in _functions(module):
            missing.append(f"{module}::{wanted}")
    assert missing == []


def test_the_summary_counts_the_rows() -> None:
    counted: dict[str, Counter[str]] = {chapter: Counter() for chapter in CHAPTERS}
    for row in _rows():
        counted[row.chapter][row.status] += 1
    summary = _text().split("## Summary", 1)[1].split("\n## ", 1)[0]
    lines = {
        cells[0]: cells[1:]
        for line in summary.splitlines()
        if line.startswith("| ") and not line.startswith("| ---")
        for cells in [[cell.strip() for cell in line.strip().strip("|").split("|")]]
    }
    assert lines["Chapter"] == [*STATUSES, "Rows"]
    for chapter, title in CHAPTERS.items():
        expected = [str(counted[chapter][status]) for status in STATUSES]
        assert lines[title] == [*expected, str(sum(counted[chapter].values()))], title
    total = [str(sum(counted[c][status] for c in CHAPTERS)) for status in STATUSES]
    assert lines["**All**"] == [*total, str(len(_rows()))]


def test_links_lead_to_documents_and_headings_that_exist() -> None:
    broken = []
    for target in LINK.findall(_text()):
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        document = (DOCUMENT.parent / path).resolve() if path else DOCUMENT
        if not document.is_file() or (anchor and anchor not in _anchors(document)):
            broken.append(target)
    assert broken == []
