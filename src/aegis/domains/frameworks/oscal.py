"""Reading NIST OSCAL 1.x catalogs (JSON) into requirement trees.

Groups and controls become requirements (controls are assessable, groups are not; CSF
categories, encoded as controls of class `category` holding subcategories, are treated as
groups). Withdrawn items and everything below them are skipped. The statement becomes the
text, followed by the guidance and any implementation examples; parameter insertions are
rendered as the value, the selection or the assignment label of the parameter, and links as
their text (or the title of the back-matter resource they point to). A title that only
repeats the identifier (CSF subcategories) is replaced by the statement.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from aegis.core.errors import ValidationFailed
from aegis.domains.frameworks.labels import first_paragraph, repeats_reference, shorten
from aegis.domains.frameworks.tree import (
    MAX_TEXT_BYTES,
    MAX_TITLE_LENGTH,
    MAX_TREE_DEPTH,
    Node,
    build_tree,
    check_size,
)

GROUPING_CONTROL_CLASSES = frozenset({"category"})
MAIN_PARTS = ("overview", "statement")
MAX_PART_DEPTH = 8
MAX_PARAM_DEPTH = 3
MAX_PARAM_TEXT = 1000
OTHER_MODELS = (
    "profile",
    "component-definition",
    "system-security-plan",
    "assessment-plan",
    "assessment-results",
    "plan-of-action-and-milestones",
)
INSERT = re.compile(r"\{\{\s*insert:\s*([\w.-]+)\s*,\s*([^\s{}]+)\s*\}\}")
LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)\)")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SUMMARY = "Not a valid OSCAL catalog"


@dataclass(frozen=True)
class Catalog:
    """What an OSCAL catalog holds: its metadata and the active requirements in pre-order."""

    title: str
    version: str
    remarks: str
    nodes: list[Node]
    uuid: str | None = None


def _fail(where: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        f"{SUMMARY}: {where}: {message}",
        details=[{"field": "file", "where": where, "message": message}],
    )


def _objects(container: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = container.get(key, [])
    if not isinstance(value, list):
        raise _fail(f"{where}.{key}", "must be a list")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise _fail(f"{where}.{key}[{index}]", "must be an object")
    return value


def _string(container: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = container.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problem = "is missing" if value is None else "must be a non-empty string"
        raise _fail(where, f"'{key}' {problem}")
    return value.strip()


def _props(item: dict[str, Any], where: str, name: str) -> list[dict[str, Any]]:
    props = _objects(item, "props", where)
    return [p for p in props if p.get("name") == name and isinstance(p.get("value"), str)]


def _withdrawn(item: dict[str, Any], where: str) -> bool:
    return any(p["value"].lower() == "withdrawn" for p in _props(item, where, "status"))


def _ref_id(item: dict[str, Any], item_id: str, where: str) -> str:
    """The unclassed label (e.g. AC-2(1)) when it is a short identifier, else the id."""
    labels = _props(item, where, "label")
    labels.sort(key=lambda p: "class" in p)
    label = labels[0]["value"].strip() if labels else ""
    return label if label and len(label) <= 100 and not any(c.isspace() for c in label) else item_id


def _sort_id(item: dict[str, Any], where: str) -> str | None:
    found = _props(item, where, "sort-id")
    return found[0]["value"] if found else None


def _children(item: dict[str, Any], where: str) -> list[tuple[dict[str, Any], str, bool]]:
    """Controls then groups, sorted by sort-id when every child has one."""
    found = [
        (child, f"{where}.{key}[{index}]", key == "controls")
        for key in ("controls", "groups")
        for index, child in enumerate(_objects(item, key, where))
    ]
    keys = [_sort_id(child, path) for child, path, _ in found]
    if found and all(key is not None for key in keys):
        order = sorted(range(len(found)), key=lambda i: str(keys[i]))
        found = [found[i] for i in order]
    return found


class _Renderer:
    """Turns prose with parameter insertions, links and nested parts into plain text."""

    def __init__(self, params: dict[str, dict[str, Any]], resources: dict[str, str]) -> None:
        self.params = params
        self.resources = resources
        self.cache: dict[str, str] = {}

    def link(self, match: re.Match[str]) -> str:
        """A link's text; an empty one named by its resource's title, its target or its URL."""
        text, href = match.group(1).strip(), match.group(2).strip()
        if href.startswith("#"):
            return text or self.resources.get(href[1:], href[1:])
        return f"{text} ({href})" if text and text != href else href

    def param(self, param_id: str, depth: int = 0) -> str:
        """Readable text of one parameter: its values, choices or label."""
        if depth == 0 and param_id in self.cache:
            return self.cache[param_id]
        param = self.params.get(param_id)
        text = f"[{param_id}]"
        if param is not None and depth < MAX_PARAM_DEPTH:
            values = [v for v in param.get("values") or [] if isinstance(v, str)]
            select = param.get("select") if isinstance(param.get("select"), dict) else None
            label = param.get("label")
            if values:
                text = ", ".join(self.prose(v, depth + 1) for v in values)
            elif select is not None:
                choices = [c for c in select.get("choice") or [] if isinstance(c, str)]
                how = " (one or more)" if select.get("how-many") == "one-or-more" else ""
                text = f"[Selection{how}: {'; '.join(self.prose(c, depth + 1) for c in choices)}]"
            elif isinstance(label, str) and label.strip():
                text = f"[Assignment: {self.prose(label, depth + 1)}]"
        text = text[:MAX_PARAM_TEXT]
        if depth == 0:
            self.cache[param_id] = text
        return text

    def prose(self, text: str, depth: int = 0, where: str = "prose") -> str:
        """Prose with links and insertions replaced, refused when it grows past the text limit."""
        text = LINK.sub(self.link, text)
        pieces: list[str] = []
        size, last = 0, 0
        for match in INSERT.finditer(text):
            kind, target = match.groups()
            value = self.param(target, depth) if kind == "param" else f"[{target}]"
            pieces.extend((text[last : match.start()], value))
            size += match.start() - last + len(value)
            last = match.end()
            if size > MAX_TEXT_BYTES:
                raise _fail(where, "the text with its parameters is too long")
        pieces.append(text[last:])
        return "".join(pieces).strip()

    def part_lines(self, part: dict[str, Any], where: str, indent: int, depth: int) -> list[str]:
        """Lines of a part and its sub-parts, each item prefixed with its label."""
        if depth > MAX_PART_DEPTH:
            raise _fail(where, f"parts are nested deeper than {MAX_PART_DEPTH} levels")
        labels = _props(part, where, "label")
        prose = self.prose(_string(part, "prose", where, required=False), where=where)
        line = " ".join(x for x in (labels[0]["value"].strip() if labels else "", prose) if x)
        lines = ["  " * indent + line] if line else []
        inner = indent + 1 if line else indent
        for index, child in enumerate(_objects(part, "parts", where)):
            lines.extend(self.part_lines(child, f"{where}.parts[{index}]", inner, depth + 1))
        return lines

    def text(self, item: dict[str, Any], where: str) -> tuple[str, str]:
        """The statement (or overview), and the text: it, the guidance, the examples."""
        main: list[str] = []
        guidance: list[str] = []
        examples: list[str] = []
        for index, part in enumerate(_objects(item, "parts", where)):
            path, name = f"{where}.parts[{index}]", part.get("name")
            if name in MAIN_PARTS:
                main.extend(self.part_lines(part, path, 0, 1))
            elif name == "guidance":
                guidance.extend(self.part_lines(part, path, 0, 1))
            elif name == "example":
                examples.extend(f"- {line.strip()}" for line in self.part_lines(part, path, 0, 1))
        sections = ["\n".join(main)]
        if guidance:
            sections.append("Guidance: " + "\n".join(guidance))
        if examples:
            sections.append("Implementation examples:\n" + "\n".join(examples))
        return sections[0].strip(), "\n\n".join(s for s in sections if s).strip()


def _load(content: bytes) -> dict[str, Any]:
    check_size(content)
    try:
        text = content.decode("utf-8-sig")
        document = json.loads(text)
    except UnicodeDecodeError as exc:
        raise _fail("file", "the file is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise _fail("file", "not JSON (it ends too early: the file is cut short)") from exc
        raise _fail("file", f"not JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        raise _fail("file", "the JSON is nested too deeply") from exc
    if not isinstance(document, dict):
        raise _fail("file", "the top level must be an object with a 'catalog'")
    catalog = document.get("catalog")
    if catalog is None:
        other = next((kind for kind in OTHER_MODELS if kind in document), None)
        if other == "profile":
            raise _fail("file", "this is an OSCAL profile; import its resolved catalog instead")
        if other:
            raise _fail("file", f"this is an OSCAL {other}, not a catalog")
        raise _fail("file", "the top-level object has no 'catalog'")
    if not isinstance(catalog, dict):
        raise _fail("catalog", "must be an object")
    return catalog


def _collect_params(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every parameter of the catalog by id, wherever it is declared."""
    params: dict[str, dict[str, Any]] = {}
    stack: list[tuple[dict[str, Any], str, int]] = [(catalog, "catalog", 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise _fail(where, f"groups and controls are nested deeper than {MAX_TREE_DEPTH}")
        for index, param in enumerate(_objects(item, "params", where)):
            params[_string(param, "id", f"{where}.params[{index}]")] = param
        stack.extend((child, path, depth + 1) for child, path, _ in _children(item, where))
    return params


def _resources(catalog: dict[str, Any]) -> dict[str, str]:
    """Titles of the back-matter resources by uuid (links to them show these)."""
    back_matter = catalog.get("back-matter")
    if not isinstance(back_matter, dict):
        return {}
    found: dict[str, str] = {}
    for resource in _objects(back_matter, "resources", "catalog.back-matter"):
        citation = resource.get("citation")
        names = (
            resource.get("title"),
            citation.get("text") if isinstance(citation, dict) else None,
        )
        name = next((n.strip() for n in names if isinstance(n, str) and n.strip()), "")
        if isinstance(resource.get("uuid"), str) and name:
            found[resource["uuid"]] = name[:MAX_PARAM_TEXT]
    return found


def _title(item_id: str, ref_id: str, title: str, statement: str) -> str:
    """The title, or the statement when the title only repeats the identifier."""
    if not (repeats_reference(ref_id, title) or repeats_reference(item_id, title)):
        return title
    return shorten(first_paragraph(statement), MAX_TITLE_LENGTH) or title


def _nodes(catalog: dict[str, Any], renderer: _Renderer) -> list[Node]:
    nodes: list[Node] = []
    stack: list[tuple[dict[str, Any], str, bool, str | None]] = [
        (child, path, is_control, None)
        for child, path, is_control in reversed(_children(catalog, "catalog"))
    ]
    while stack:
        item, where, is_control, parent_ref = stack.pop()
        item_id = _string(item, "id", where)
        if _withdrawn(item, where):
            continue
        ref_id = _ref_id(item, item_id, where)
        grouping = not is_control or item.get("class") in GROUPING_CONTROL_CLASSES
        title = _string(item, "title", where)
        statement, text = renderer.text(item, where)
        title = _title(item_id, ref_id, title, statement)
        nodes.append(Node(ref_id, parent_ref, title, text, not grouping, f"{where} ('{item_id}')"))
        stack.extend(
            (child, path, control, ref_id)
            for child, path, control in reversed(_children(item, where))
        )
    return nodes


def parse_catalog(content: bytes) -> Catalog:
    """Read an OSCAL catalog; raise ValidationFailed naming the first problem found."""
    catalog = _load(content)
    metadata = catalog.get("metadata")
    if not isinstance(metadata, dict):
        raise _fail("catalog", "'metadata' is missing")
    title = _string(metadata, "title", "catalog.metadata")
    version = _string(metadata, "version", "catalog.metadata")
    remarks = _string(metadata, "remarks", "catalog.metadata", required=False)
    renderer = _Renderer(_collect_params(catalog), _resources(catalog))
    nodes = build_tree(_nodes(catalog, renderer), SUMMARY)
    if not any(node.assessable for node in nodes):
        raise _fail("catalog", "there are no active controls")
    uuid = catalog.get("uuid")
    uuid = uuid.strip().lower() if isinstance(uuid, str) else ""
    return Catalog(
        title=title,
        version=version,
        remarks=remarks,
        nodes=nodes,
        uuid=uuid if UUID.match(uuid) else None,
    )
