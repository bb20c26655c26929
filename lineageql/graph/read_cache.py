"""Answers of keyed reads kept between requests, for a store only this process writes.

The embedded store admits one writing process, so every change to it passes through this
process and bumps the store's ``generation``; the cache forgets everything when the
generation moves. An answer read while a write committed is not kept (its generation at the
start of the read no longer matches). Stores that others write too (Neo4j) have no cache.

It holds what the nested walk reads most and LadybugDB answers slowest: each artifact
version's neighbours along DERIVED_FROM (a hop over a 400-version frontier costs ~10 ms
there) and artifact version records.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from lineageql.graph.store import GraphStore

V = TypeVar("V")

MAX_ENTRIES = 500_000
"""Beyond this many answers the cache starts over (about 100 MB at worst)."""


class KeyedCache(Generic[V]):
    """One kind of keyed answer (e.g. upstream neighbours by version id)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._generation = -1
        self._entries: dict[str, V] = {}

    @property
    def enabled(self) -> bool:
        return self._store.sole_writer

    async def get_many(
        self, keys: Sequence[str], read: Callable[[list[str]], Awaitable[dict[str, V]]]
    ) -> dict[str, V]:
        """The answer for each key: kept ones, and ``read`` for the rest (which must answer
        every key it is given)."""
        if not self.enabled:
            return await read(list(dict.fromkeys(keys)))
        generation = self._store.generation
        if generation != self._generation or len(self._entries) > MAX_ENTRIES:
            self._entries = {}
            self._generation = generation
        entries = self._entries
        missing = [key for key in dict.fromkeys(keys) if key not in entries]
        found = {key: entries[key] for key in keys if key in entries}
        if missing:
            fresh = await read(missing)
            found.update(fresh)
            if self._store.generation == generation and self._entries is entries:
                entries.update(fresh)
        return found
