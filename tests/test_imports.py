"""Every module imports on its own, first, with nothing of ours loaded before it: an import
cycle shows up here as a partially initialised module, whichever module a reader opens first."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PROBE = """
import importlib, pathlib, sys
failed = []
modules = sorted(
    ".".join(p.with_suffix("").parts).removesuffix(".__init__")
    for p in pathlib.Path("app").rglob("*.py")
    if "migrations" not in p.parts
)
for name in modules:
    for loaded in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print(len(modules))
print("\\n".join(failed))
"""


@pytest.mark.slow
def test_every_module_imports_on_its_own():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    count, *failed = done.stdout.strip().splitlines()
    assert int(count) > 40
    assert failed == []


#: The plain-Python cores: what the site, the workflow and the benchmarks build on.
CORES = {
    "app/content": {"model", "errors", "loader", "render", "catalog", "conventions", "extract",
                    "figures", "readability", "store"},
    "app/search": {"analysis", "glossary", "index", "query", "service", "snippets", "synonyms"},
}  # fmt: skip
WEB = ("flask", "flask_", "werkzeug", "jinja2", "app.web", "app.i18n", "app.questions", "app.staff")


def imported_names(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(CORES))
def test_the_content_and_search_cores_know_nothing_of_flask(package):
    folder = ROOT / package
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__"}
    assert CORES[package] <= modules  # the list above names real modules
    for name in sorted(CORES[package]):
        web = {n for n in imported_names(folder / f"{name}.py") if n.startswith(WEB)}
        assert web == set(), f"{package}/{name}.py imports {web}"
