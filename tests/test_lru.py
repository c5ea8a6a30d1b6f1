"""The bounded LRU map: by entries, and by the bytes its values weigh."""

import pytest

from app.lru import LRUCache


def test_the_least_recently_used_entry_goes_first_when_over_the_count():
    cache: LRUCache[str, bytes] = LRUCache(2)
    cache.put("a", b"1")
    cache.put("b", b"2")
    cache.get("a")
    cache.put("c", b"3")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1", None, b"3")


def test_evicts_by_the_bytes_its_values_weigh_not_their_number():
    cache: LRUCache[str, bytes] = LRUCache(100, max_bytes=1000)
    cache.put("a", b"x" * 400)
    cache.put("b", b"x" * 400)
    cache.put("c", b"x" * 300)
    assert cache.get("a") is None  # the oldest went, and that was enough
    assert cache.get("b") is not None and cache.get("c") is not None
    assert cache.bytes == 700
    cache.put("d", b"x" * 900)
    assert (len(cache), cache.bytes) == (1, 900)


def test_a_value_that_grew_after_it_was_put_is_weighed_again_when_found():
    pages: dict[str, list[bytes]] = {"a": [b"x" * 100], "b": [b"x" * 100]}
    cache: LRUCache[str, list[bytes]] = LRUCache(
        10, max_bytes=600, weigh=lambda forms: sum(len(f) for f in forms)
    )
    cache.put("a", pages["a"])
    cache.put("b", pages["b"])
    pages["b"].append(b"y" * 350)  # a compressed form made after the page was kept
    assert cache.get("b") is pages["b"]
    assert cache.bytes == 100 + 450
    pages["b"].append(b"z" * 100)
    cache.get("b")  # now over: the least recently used other entry goes, not this one
    assert cache.get("a") is None
    assert cache.bytes == 550


def test_a_budget_of_zero_keeps_nothing_but_still_hands_the_value_back():
    cache: LRUCache[str, bytes] = LRUCache(10, max_bytes=0)
    assert cache.put("a", b"page") == b"page"
    assert len(cache) == 0 and cache.get("a") is None and cache.bytes == 0


def test_a_negative_budget_is_refused():
    with pytest.raises(ValueError, match="max_bytes"):
        LRUCache(10, max_bytes=-1)
