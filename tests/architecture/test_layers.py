"""Layer rules that import-linter cannot express."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAINS = Path(__file__).resolve().parents[2] / "src" / "aegis" / "domains"
PUBLIC_PARTS = {"service", "schemas", "errors"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def test_domains_use_other_domains_only_through_service_schemas_or_errors() -> None:
    offences = []
    for path in DOMAINS.rglob("*.py"):
        own = path.relative_to(DOMAINS).parts[0]
        for module in _imports(path):
            parts = module.split(".")
            if parts[:2] != ["aegis", "domains"] or len(parts) < 4:
                continue
            other, part = parts[2], parts[3]
            if other not in (own, "common") and part not in PUBLIC_PARTS:
                offences.append(f"{path.relative_to(DOMAINS)} imports {module}")
    assert offences == []


def test_domains_raise_no_http_exceptions() -> None:
    offences = [
        str(path.relative_to(DOMAINS))
        for path in DOMAINS.rglob("*.py")
        if "HTTPException" in path.read_text()
    ]
    assert offences == []
