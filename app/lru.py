"""A small thread-safe least-recently-used map, for caches that must not grow without bound.

A cache of pages is bounded by what its pages weigh, not only by how many there are: an article
with its compressed forms weighs a hundred times a search page, so a count that suits one
lets the other fill a worker's memory. With ``max_bytes`` the map evicts the least recently
used entries until the weights of those it keeps add up to no more than that. A value may grow
after it was put (a page's compressed forms are made when first asked for), so its weight is
measured again every time it is put or found.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    def __init__(
        self,
        size: int,
        max_bytes: int | None = None,
        weigh: Callable[[V], int] | None = None,
    ) -> None:
        """At most ``size`` entries and, when ``max_bytes`` is given, at most that many bytes
        as ``weigh`` counts them (``len`` by default); 0 keeps nothing."""
        if max_bytes is not None and max_bytes < 0:
            raise ValueError(f"max_bytes must be 0 or more, not {max_bytes}")
        self._items: OrderedDict[K, V] = OrderedDict()
        self._weights: dict[K, int] = {}
        self._size = size
        self._max_bytes = max_bytes
        self._weigh: Callable[[V], int] = weigh or len  # type: ignore[assignment]
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                if self._max_bytes is not None:
                    self._reweigh(key, value)
                    self._evict(keep=key)
            return value

    def put(self, key: K, value: V) -> V:
        """Keep ``value`` (unless it alone weighs more than the cache may hold) and return it."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            if self._max_bytes is not None:
                self._reweigh(key, value)
            self._evict()
        return value

    def _reweigh(self, key: K, value: V) -> None:
        weight = self._weigh(value)
        self._bytes += weight - self._weights.get(key, 0)
        self._weights[key] = weight

    def _evict(self, keep: K | None = None) -> None:
        """Drop the least recently used entries while over a bound; ``keep`` (the entry just
        found, in use by its caller) stays even when it alone is over."""
        while self._items and (
            len(self._items) > self._size
            or (self._max_bytes is not None and self._bytes > self._max_bytes)
        ):
            oldest = next(iter(self._items))
            if oldest == keep:
                break
            del self._items[oldest]
            self._bytes -= self._weights.pop(oldest, 0)

    @property
    def bytes(self) -> int:
        """What the entries weighed when last put or found (0 without ``max_bytes``)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)
