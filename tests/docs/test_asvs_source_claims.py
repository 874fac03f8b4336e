"""What docs/security/asvs.md says Aegis never does, checked in its source and browser scripts."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import openpyxl

import aegis

PACKAGE = Path(aegis.__file__).parent
STATIC = PACKAGE / "web" / "static"
TEMPLATES = PACKAGE / "web" / "templates"


@cache
def _modules() -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """Every module of the package with what it imports and calls, read once for all checks."""
    summaries = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = path.relative_to(PACKAGE).as_posix()
        summaries.append((name, frozenset(_imports(tree)), frozenset(_calls(tree))))
    return tuple(summaries)


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _calls(tree: ast.Module) -> set[str]:
    """Called names as written: `eval`, `os.system`, `env.from_string`."""
    called: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                called.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                owner = node.func.value
                prefix = owner.id if isinstance(owner, ast.Name) else ""
                called.add(f"{prefix}.{node.func.attr}")
    return called


def _found(
    imports: tuple[str, ...] = (), calls: tuple[str, ...] = (), methods: tuple[str, ...] = ()
) -> list[str]:
    """Modules importing a name starting with `imports`, calling `calls` or any `x.<methods>`."""
    found = []
    for name, imported, called in _modules():
        found += [f"{name}: imports {m}" for m in sorted(imported) if m.startswith(imports)]
        found += [
            f"{name}: calls {call}"
            for call in sorted(called)
            if call in calls or ("." in call and call.rpartition(".")[2] in methods)
        ]
    return found


def _banned_prefixes(*roots: str) -> tuple[str, ...]:
    return tuple(p for root in roots for p in (root, f"{root}."))


def test_the_checks_read_the_whole_package() -> None:
    names = [name for name, _, _ in _modules()]
    assert "main.py" in names and "core/security.py" in names and len(names) > 100


def test_no_text_is_run_as_python_code() -> None:
    assert _found(calls=("eval", "exec", "compile", "__import__")) == []


def test_no_operating_system_command_is_run() -> None:
    imports = _banned_prefixes("subprocess", "pty", "commands")
    calls = ("os.system", "os.popen", "os.execv", "os.execvp", "os.execl", "os.spawnv", "os.spawnl")
    assert _found(imports, calls) == []


def test_nothing_is_unpickled_or_read_as_yaml() -> None:
    banned = ("pickle", "cPickle", "marshal", "shelve", "dill", "yaml", "jsonpickle")
    assert _found(_banned_prefixes(*banned)) == []


def test_no_template_is_made_from_text() -> None:
    templates = _banned_prefixes("string.Template", "jinja2.Template", "mako")
    assert _found(templates, calls=("Template",), methods=("from_string", "Template")) == []


def test_no_address_is_fetched() -> None:
    """Aegis opens connections only to the database, Redis and clamd named in its settings."""
    imports = _banned_prefixes(
        "httpx", "requests", "urllib.request", "urllib3", "http.client", "aiohttp", "ftplib"
    )
    assert _found(imports, calls=("urlopen",), methods=("urlopen",)) == []


def test_xml_is_only_read_without_entities() -> None:
    imports = _banned_prefixes("xml.etree", "xml.dom", "xml.sax", "xml.parsers", "lxml")
    assert _found(imports) == []
    assert openpyxl.DEFUSEDXML is True  # workbooks are parsed by defusedxml, which refuses DTDs


def _own_scripts() -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(STATIC.glob("*.js"))  # vendor/ holds the checksummed packages
    }


def test_browser_scripts_evaluate_no_text_and_keep_nothing_in_the_browser() -> None:
    scripts = _own_scripts()
    assert {"app.js", "api-docs.js", "sw.js"} <= set(scripts)
    forbidden = re.compile(
        r"\beval\s*\(|new\s+Function\s*\(|set(?:Timeout|Interval)\s*\(\s*['\"`]"
        r"|localStorage|sessionStorage|indexedDB|document\.cookie"
    )
    assert {name: forbidden.findall(text) for name, text in scripts.items()} == {
        name: [] for name in scripts
    }
    assert "persistAuthorization: false" in scripts["api-docs.js"]
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    config = re.search(r'name="htmx-config" content=\'([^\']*)\'', base)
    assert config and '"allowEval": false' in config.group(1)
    assert '"allowScriptTags": false' in config.group(1)
