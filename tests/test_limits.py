"""Rate limits in Redis are shared by every app process; a Redis that is down stops no one."""

import uuid

import pytest
import redis

from tests.views.test_ask import send

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
