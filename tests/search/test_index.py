"""Building, swapping and recovering the index, on real indexes in temporary directories."""

import os
import time

import pytest

from app import create_app
from app.search import build_index, current_info
from app.search import site as search_site
from app.search.index import expected_documents


@pytest.fixture
def fresh(app_config, tmp_path):
    """An app whose index directory starts empty."""
    app_config["SEARCH_INDEX_DIR"] = str(tmp_path / "index")
    return create_app(app_config)


def wait_for_rebuild(service, seconds=60):
    deadline = time.monotonic() + seconds
    while service.rebuilding and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not service.rebuilding


@pytest.mark.slow
def test_cli_build_validates_and_swaps_in_one_document_per_section_per_language(fresh):
    result = fresh.test_cli_runner().invoke(args=["search", "build"])
    assert result.exit_code == 0, result.output
    service = search_site.service(fresh)
    info = current_info(service.root)
    sections = expected_documents(service.store)
    assert info.counts == dict.fromkeys(service.languages, sections)
    assert info.fingerprint.startswith(service.store.version)
    assert (service.root / "current").is_symlink()


@pytest.mark.slow
def test_build_if_stale_keeps_a_current_index_and_rebuild_replaces_it(fresh):
    runner = fresh.test_cli_runner()
    runner.invoke(args=["search", "build"])
    service = search_site.service(fresh)
    first = current_info(service.root).path
    runner.invoke(args=["search", "build", "--if-stale"])
    assert current_info(service.root).path == first
    runner.invoke(args=["search", "build"])
    second = current_info(service.root).path
    assert second != first
    assert first.exists(), "the previous build stays for workers still reading it"


@pytest.mark.slow
def test_open_workers_see_a_swapped_in_build_without_restarting(fresh):
    service = search_site.service(fresh)
    build_index(service.store, service.root, service.languages)
    assert service.search("riluzole", "en").total
    old = service._opened
    build_index(service.store, service.root, service.languages)
    assert service.search("riluzole", "en").total
    assert service._opened != old


@pytest.mark.slow
def test_status_command_reports_missing_then_current(fresh):
    runner = fresh.test_cli_runner()
    assert runner.invoke(args=["search", "status"]).exit_code == 1
    runner.invoke(args=["search", "build"])
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0 and "current" in result.output


@pytest.mark.slow
def test_missing_index_answers_being_rebuilt_then_recovers(fresh):
    client = fresh.test_client()
    response = client.get("/en/search?q=riluzole")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "Search is being rebuilt" in response.get_data(as_text=True)
    assert client.get("/en/articles/als-stem-cell-therapy").status_code == 200
    wait_for_rebuild(search_site.service(fresh))
    assert client.get("/en/search?q=riluzole").status_code == 200


# Whoosh leaves a file handle open when it fails to read a corrupt table of contents.
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_corrupt_index_answers_being_rebuilt_then_recovers(fresh):
    service = search_site.service(fresh)
    info = build_index(service.store, service.root, service.languages)
    for name in os.listdir(info.path):
        if name.endswith((".seg", ".toc", ".trm", ".pst")) or "_" in name:
            (info.path / name).write_bytes(b"garbage")
    client = fresh.test_client()
    response = client.get("/en/search?q=riluzole")
    assert response.status_code == 503
    assert client.get("/en/articles/ms-stem-cell-therapy").status_code == 200
    wait_for_rebuild(service)
    assert client.get("/en/search?q=riluzole").status_code == 200


@pytest.mark.slow
def test_half_written_build_is_never_served(fresh):
    service = search_site.service(fresh)
    build_index(service.store, service.root, service.languages)
    serving = current_info(service.root).path
    half = service.root / "builds" / "99999999T999999-half"
    half.mkdir()
    (half / "_MAIN_1.toc").write_bytes(b"partial")
    assert current_info(service.root).path == serving
    assert service.search("riluzole", "en").total


@pytest.mark.slow
def test_a_stale_index_is_served_while_a_fresh_one_is_built(fresh):
    service = search_site.service(fresh)
    old = build_index(service.store, service.root, service.languages)
    meta = old.path / "meta.json"
    meta.write_text(meta.read_text().replace(old.fingerprint, "older-content"))
    assert service.search("lenzumestrocel", "en").total == 1
    wait_for_rebuild(service)
    fresh_info = current_info(service.root)
    assert fresh_info.path != old.path
    assert fresh_info.fingerprint == old.fingerprint


@pytest.mark.slow
def test_the_api_says_search_is_being_rebuilt_as_json(fresh):
    response = fresh.test_client().get("/api/v1/search?q=riluzole&lang=en")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["error"]["message"].startswith("Search is being rebuilt")
    wait_for_rebuild(search_site.service(fresh))
