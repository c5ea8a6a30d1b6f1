"""Rate limits in Redis are shared by every app process; a Redis that is down stops no one."""

import uuid

import pytest
import redis

from tests.helpers import send

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_limits() -> dict:
    """Settings for a limit kept in the local Redis, under a prefix of this test's own."""
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}", pytrace=False)
    prefix = f"test-{uuid.uuid4().hex}"
    yield {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "ASK_RATE_LIMIT": "2 per minute",
    }
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


def test_the_limit_is_shared_by_two_app_instances_through_redis(make_app, redis_limits):
    first, second = make_app(**redis_limits), make_app(**redis_limits)
    assert send(first.test_client()).status_code == 303
    prefix = redis_limits["RATELIMIT_KEY_PREFIX"]
    assert list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{prefix}*"))
    assert send(second.test_client()).status_code == 303
    assert send(first.test_client()).status_code == 429
    assert send(second.test_client()).status_code == 429


def test_a_rate_limit_store_that_is_down_lets_questions_through(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
        ASK_RATE_LIMIT="1 per minute",
    )
    client = app.test_client()
    assert [send(client).status_code for _ in range(2)] == [303, 303]


def test_searching_is_limited_per_client_with_a_429_in_the_readers_language(make_app):
    """The search page and the API share one count per client; reading is never limited."""
    app = make_app(RATELIMIT_ENABLED=True, SEARCH_RATE_LIMIT="3 per minute")
    client = app.test_client()
    assert [client.get(f"/fr/search?q=stem{n}").status_code for n in range(2)] == [200, 200]
    assert client.get("/api/v1/search?q=stem&lang=fr").status_code == 200

    page = client.get("/fr/search?q=riluzole")
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) > 0
    assert "Trop de demandes" in page.get_data(as_text=True)
    api = client.get("/api/v1/search?q=riluzole&lang=hi")
    assert api.status_code == 429
    assert int(api.headers["Retry-After"]) > 0
    assert api.json["error"]["title"] == "बहुत ज़्यादा अनुरोध"

    assert client.get("/fr/articles/als-stem-cell-therapy").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "127.0.0.2"
    assert other.get("/fr/search?q=riluzole").status_code == 200
