"""Requirement trees read from a file, checked before anything is written."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aegis.core.errors import PayloadTooLarge, ValidationFailed
from aegis.domains.common.text import text_problem
from aegis.domains.frameworks.schemas import MAX_IMPORT_BYTES

MAX_REQUIREMENTS = 20_000
MAX_TREE_DEPTH = 12
MAX_REF_LENGTH = 100
MAX_TITLE_LENGTH = 500
MAX_TEXT_BYTES = 60_000  # below the 64 KiB of a MySQL TEXT column
MAX_REPORTED_PROBLEMS = 20


@dataclass(eq=False)
class Node:
    """One requirement as read from a file, before it has a database id."""

    ref_id: str
    parent_ref: str | None
    title: str
    text: str
    assessable: bool
    where: str
    depth: int = 0
    position: int = 0
    children: list[Node] = field(default_factory=list, repr=False)


class Problems:
    """Collects the problems of a file and raises them together."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, where: str, message: str, **extra: Any) -> None:
        """Note one problem."""
        self.items.append({"field": "file", "where": where, "message": message, **extra})

    def raise_if_any(self, summary: str) -> None:
        """Raise ValidationFailed listing the first problems, if there are any."""
        if self.items:
            first = self.items[0]
            more = len(self.items) - 1
            suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
            raise ValidationFailed(
                f"{summary}: {first['where']}: {first['message']}{suffix}",
                details=self.items[:MAX_REPORTED_PROBLEMS],
            )


def check_size(content: bytes, limit: int = MAX_IMPORT_BYTES) -> None:
    """Refuse files larger than the import limit."""
    if len(content) > limit:
        raise PayloadTooLarge(f"The file exceeds the import limit of {limit} bytes")


def _check_fields(node: Node, problems: Problems) -> None:
    if not node.ref_id:
        problems.add(node.where, "the id is empty")
    elif len(node.ref_id) > MAX_REF_LENGTH:
        problems.add(node.where, f"the id is longer than {MAX_REF_LENGTH} characters")
    if len(node.title) > MAX_TITLE_LENGTH:
        problems.add(node.where, f"the title is longer than {MAX_TITLE_LENGTH} characters")
    if len(node.text.encode()) > MAX_TEXT_BYTES:
        problems.add(node.where, f"the text is longer than {MAX_TEXT_BYTES} bytes")
    for name, value, multiline in (
        ("id", node.ref_id, False),
        ("title", node.title, False),
        ("text", node.text, True),
    ):
        problem = text_problem(value, multiline=multiline)
        if problem:
            problems.add(node.where, f"the {name} {problem}")


def _link(nodes: list[Node], problems: Problems) -> list[Node]:
    """Attach children to parents; return the roots (ids compare case-insensitively)."""
    by_ref: dict[str, Node] = {}
    for node in nodes:
        key = node.ref_id.casefold()
        if key in by_ref:
            problems.add(node.where, f"id '{node.ref_id}' repeats {by_ref[key].where}")
        else:
            by_ref[key] = node
    roots: list[Node] = []
    for node in nodes:
        if by_ref.get(node.ref_id.casefold()) is not node:
            continue
        if node.parent_ref is None:
            roots.append(node)
            continue
        parent = by_ref.get(node.parent_ref.casefold())
        if parent is None:
            problems.add(node.where, f"parent '{node.parent_ref}' is not an id of the file")
        else:
            node.parent_ref = parent.ref_id
            parent.children.append(node)
    return roots


def _number(roots: list[Node], problems: Problems) -> list[Node]:
    """Give every node its depth and pre-order position."""
    ordered: list[Node] = []
    stack = [(root, 1) for root in reversed(roots)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            problems.add(node.where, f"the tree is deeper than {MAX_TREE_DEPTH} levels")
            return ordered
        node.depth, node.position = depth, len(ordered)
        ordered.append(node)
        stack.extend((child, depth + 1) for child in reversed(node.children))
    return ordered


def _cycles(nodes: list[Node], reached: list[Node], problems: Problems) -> None:
    """Report each parent cycle once (nodes no root reaches are in or below a cycle)."""
    by_ref = {node.ref_id: node for node in nodes}
    done = {id(node) for node in reached}
    for start in nodes:
        path: dict[int, int] = {}
        chain: list[Node] = []
        current: Node | None = start
        while current is not None and id(current) not in done and id(current) not in path:
            path[id(current)] = len(chain)
            chain.append(current)
            current = by_ref.get(current.parent_ref) if current.parent_ref else None
        if current is not None and id(current) in path:
            cycle = chain[path[id(current)] :]
            names = " → ".join(node.ref_id for node in [*cycle, cycle[0]])
            problems.add(current.where, f"parents form a cycle: {names}")
        done.update(path)


def build_tree(nodes: list[Node], summary: str) -> list[Node]:
    """Check ids, parents, cycles and depth; return the nodes in pre-order, numbered."""
    problems = Problems()
    if not nodes:
        problems.add("file", "there are no requirements")
    if len(nodes) > MAX_REQUIREMENTS:
        problems.add("file", f"more than {MAX_REQUIREMENTS} requirements")
    problems.raise_if_any(summary)
    for node in nodes:
        _check_fields(node, problems)
    roots = _link(nodes, problems)
    problems.raise_if_any(summary)
    ordered = _number(roots, problems)
    problems.raise_if_any(summary)
    _cycles(nodes, ordered, problems)
    problems.raise_if_any(summary)
    return ordered


def by_depth(nodes: list[Node]) -> list[list[Node]]:
    """The nodes grouped by depth, top level first."""
    levels: dict[int, list[Node]] = defaultdict(list)
    for node in nodes:
        levels[node.depth].append(node)
    return [levels[depth] for depth in sorted(levels)]
