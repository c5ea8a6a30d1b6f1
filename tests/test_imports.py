"""Every module imports on its own, first, with nothing of ours loaded before it: an import
cycle shows up here as a partially initialised module, whichever module a reader opens first."""

from __future__ import annotations

import subprocess
import sys

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


def test_every_module_imports_on_its_own():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    count, *failed = done.stdout.strip().splitlines()
    assert int(count) > 40
    assert failed == []
