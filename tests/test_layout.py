"""The shape of the code, as docs/architecture.md describes it, checked.

- no module of the portal (migrations, tests and benchmarks aside) passes 400 lines;
- no two modules import each other, except a Celery task module importing its
  service inside the task (the service imports the task module to enqueue it);
- every urls module names its app, and every URL the code and templates reverse
  is namespaced (allauth's own ``account_*`` names aside);
- sign-in is required by default: no view carries ``login_required``;
- the demo app builds demo data and nothing imports it.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "audit",
    "consent",
    "demo",
    "engagement",
    "invitations",
    "learning",
    "notifications",
    "portal",
    "privacy",
    "schools",
)
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, whether the import is inside a function) for each import
    of a portal module in ``path``; ``from package import module`` counts as the module."""
    tree = ast.parse(path.read_text())
    found = []

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, nested) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    candidate = f"{child.module}.{alias.name}"
                    found.append((candidate if candidate in MODULES else child.module, nested))
            visit(child, nested)

    visit(tree, False)
    return [(name, nested) for name, nested in found if name in MODULES]


def test_the_portals_modules_are_found():
    assert {"accounts.access.pupils", "learning.services.feedback", "demo.seeding"} <= set(MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_passes_400_lines(module):
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines: make it a package of noun modules"


def test_no_two_modules_import_each_other():
    edges = {
        (module, imported): nested
        for module, path in MODULES.items()
        for imported, nested in _imports(path)
        if imported != module
    }
    mutual = []
    for (importer, imported), nested in edges.items():
        back = edges.get((imported, importer))
        if back is None or importer > imported:
            continue
        # Allowed: a task module importing its service inside the task.
        task_side_lazy = (importer.endswith(".tasks") and nested) or (
            imported.endswith(".tasks") and back
        )
        if not task_side_lazy:
            mutual.append((importer, imported))
    assert mutual == []


def test_every_urls_module_names_its_app():
    for module, path in MODULES.items():
        if module.endswith(".urls") and module != "portal.urls":
            assert re.search(r'^app_name = "\w+"$', path.read_text(), re.M), module


URL_NAME = re.compile(
    r"""(?:\{%\s*url\s+|\breverse(?:_lazy)?\(\s*|\bredirect\(\s*|resolve_url\(\s*)(['"])([\w:]+)\1"""
)


def _sources():
    for path in [*MODULES.values(), *(ROOT / "templates").rglob("*.html")]:
        yield path, path.read_text()


def test_every_reversed_url_is_namespaced():
    bare = [
        f"{path.relative_to(ROOT)}: {match.group(2)}"
        for path, text in _sources()
        for match in URL_NAME.finditer(text)
        if ":" not in match.group(2) and not match.group(2).startswith("account_")
    ]
    assert bare == []


def test_no_view_carries_login_required():
    decorated = [
        str(path.relative_to(ROOT))
        for path, text in _sources()
        if path.suffix == ".py" and re.search(r"^\s*@login_required\b", text, re.M)
    ]
    assert decorated == []


def test_nothing_imports_the_demo_app():
    importers = [
        module
        for module, path in MODULES.items()
        if not module.startswith("demo")
        for imported, _ in _imports(path)
        if imported == "demo" or imported.startswith("demo.")
    ]
    assert importers == []
