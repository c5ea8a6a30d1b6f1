"""A short version of the load test (bench/load.py) on every run: real gunicorn, real
PostgreSQL, wrk reading while clients send questions; no 5xx, nothing lost or doubled."""

import shutil

import pytest

from bench.load import run, verdict


def test_short_load_loses_nothing_and_serves_no_errors(postgres_server):
    if not shutil.which("wrk"):
        pytest.fail("wrk is missing: apt-get install wrk (.ci/run installs it)", pytrace=False)
    result = run(duration=5, submissions=60, clients=12)
    assert result["stored"] == 60
    assert verdict(result) == []
