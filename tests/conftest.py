"""Fixtures shared by every test: the app, its client and CLI runner, on temporary storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.search import build_index

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def search_index(tmp_path_factory) -> Path:
    """The real index of the shipped content and catalogs, built once per test run."""
    root = tmp_path_factory.mktemp("search_index")
    app = create_app(
        {"TESTING": True, "SEARCH_INDEX_DIR": str(root), "INSTANCE_PATH": str(root / "instance")}
    )
    service = app.extensions["search"]
    build_index(service.store, root, service.languages)
    return root


@pytest.fixture
def app_config(tmp_path: Path, search_index: Path) -> dict:
    """Configuration for a test app; tests may change it before asking for ``app``."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "SEARCH_INDEX_DIR": str(search_index),
    }


@pytest.fixture
def app(app_config: dict):
    yield create_app(app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the sources and catalogs, for tests that change them."""
    import shutil

    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "setup.cfg", root)
    for name in ("app", "content", "translations"):
        shutil.copytree(
            ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    return root


@pytest.fixture
def project_config(app_config: dict, project: Path) -> dict:
    """``app_config`` pointed at the private copy made by ``project``."""
    app_config.update(
        PROJECT_ROOT=str(project),
        CONTENT_DIR=str(project / "content"),
        TRANSLATIONS_DIR=str(project / "translations"),
    )
    return app_config
