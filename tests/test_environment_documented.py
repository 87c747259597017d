"""Every environment variable the code reads is in README's production table.

The code is read, not run: Python files for ``env.<cast>("NAME")`` (django-environ),
``env("NAME")``, ``os.environ[...]``, ``os.environ.get/setdefault/pop`` and
``os.getenv``; the Procfile for ``${NAME}``; the Makefile for variables a caller
may set (``NAME ?=`` and ``$(NAME)`` it never assigns).
"""

import ast
import functools
import os
import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", ".git", "node_modules", "staticfiles", "var"}

# Read only by the tests, CI or development tooling, never by the portal itself;
# each must stay that way (checked below).
NOT_CONFIGURATION = {
    "CI": "set by CI runners; .ci/run's usage line",
    "REQUIRE_SERVICES": "tests: a missing PostgreSQL, Redis or Chromium fails the run",
    "CHROMIUM_PATH": "browser tests: which Chromium to drive",
    "DJANGO_ALLOW_ASYNC_UNSAFE": "browser tests: Playwright's event loop next to the ORM",
    "DELIVERY_RECORD_FILE": "tests: a worker subprocess records what it delivered",
    "DELIVERY_RECORD_LATENCY": "tests: the same, with a simulated provider delay",
    "PYTHON": "Makefile: the interpreter that makes the virtualenv",
    "PYTEST_ARGS": "Makefile and CI: extra pytest flags",
    "EMAIL_SCREENSHOT_DIR": "browser tests: where each email's screenshots are written",
}
# Django's own, set by manage.py, wsgi.py, asgi.py and portal/celery.py.
SET_BY_ENTRY_POINTS = {"DJANGO_SETTINGS_MODULE"}
TOOLING_DIRS = {"tests", "benchmarks", ".ci"}

ENVIRON_CASTS = {
    "str", "bool", "int", "float", "list", "tuple", "dict", "json", "url", "path",
    "db", "db_url", "email", "email_url", "cache", "cache_url", "search_url",
}  # fmt: skip


MIGHT_READ = re.compile(r"\benv\b|environ|getenv")


def python_files():
    for folder, dirs, files in os.walk(BASE_DIR):
        dirs[:] = [name for name in dirs if name not in SKIPPED_DIRS]
        for name in files:
            if name.endswith(".py"):
                yield Path(folder) / name


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _name_of(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def python_reads(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            key = node.slice
            if isinstance(node.ctx, ast.Load) and isinstance(key, ast.Constant):
                names.add(str(key.value))
        elif isinstance(node, ast.Call):
            func = node.func
            reads = (
                (isinstance(func, ast.Name) and func.id == "env")
                or (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "env"
                    and func.attr in ENVIRON_CASTS
                )
                or (
                    isinstance(func, ast.Attribute)
                    and func.attr in {"get", "setdefault", "pop"}
                    and _is_os_environ(func.value)
                )
                or (
                    isinstance(func, ast.Attribute)
                    and func.attr == "getenv"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "os"
                )
            )
            if reads and (name := _name_of(node)):
                names.add(name)
    return names


def procfile_reads() -> set[str]:
    text = (BASE_DIR / "Procfile").read_text()
    return set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", text))


def makefile_reads() -> set[str]:
    text = (BASE_DIR / "Makefile").read_text()
    assigned = set(
        re.findall(r"^(?:[\w.-]+:\s*)?(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*:?=", text, re.M)
    )
    optional = set(re.findall(r"^([A-Z_][A-Z0-9_]*)\s*\?=", text, re.M))
    used = set(re.findall(r"\$\(([A-Z_][A-Z0-9_]*)\)", text))
    return optional | (used - assigned)


@functools.cache
def reads_by_file() -> dict[str, set[str]]:
    found = {}
    for path in python_files():
        source = path.read_text()
        if MIGHT_READ.search(source):
            found[str(path.relative_to(BASE_DIR))] = python_reads(source)
    found["Procfile"] = procfile_reads()
    found["Makefile"] = makefile_reads()
    return {name: reads for name, reads in found.items() if reads}


def readme_table_variables() -> set[str]:
    text = (BASE_DIR / "README.md").read_text()
    section = text.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            first_cell = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z_][A-Z0-9_]*)(?:=[^`]*)?`", first_cell))
    return names


def test_the_scan_finds_what_the_settings_read():
    """Guards the scanner itself: names read in each way it knows."""
    reads = reads_by_file()

    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "OTP_TOTP_ISSUER"} <= reads[
        "portal/settings.py"
    ]
    assert {"PORT", "WEB_CONCURRENCY", "CELERY_CONCURRENCY"} <= reads["Procfile"]
    assert "REQUIRE_SERVICES" in reads["tests/conftest.py"]
    assert python_reads('import os\nos.environ["A"]\nos.getenv("B")\nenv("C")') == {"A", "B", "C"}
    assert python_reads('import os\nos.environ["A"] = "1"') == set()


def test_every_variable_the_code_reads_is_in_readmes_production_table():
    documented = readme_table_variables()
    read = set().union(*reads_by_file().values())

    missing = read - documented - set(NOT_CONFIGURATION) - SET_BY_ENTRY_POINTS
    assert not missing, f"read by the code but not in README's production table: {sorted(missing)}"


def test_variables_left_out_of_the_table_are_read_only_by_tests_and_tooling():
    for path, names in reads_by_file().items():
        tooling = path.split("/", 1)[0] in TOOLING_DIRS or path == "Makefile"
        if not tooling:
            assert not names & set(NOT_CONFIGURATION), f"{path} reads a variable README omits"
