"""Answers of keyed reads, kept between requests for as long as they are sure to be current.

Every change a store commits says what it touched (``store.Topic`` and the keys under it):
this process's own writes at once, other processes' writes to a shared Neo4j through
``GraphStore.sync_changes`` before each request reads. A cache forgets exactly the answers
that cover a touched key (an answer covers its key and the nodes its rows name). So a run
recorded or an event ingested forgets that run, its pipeline's lists and the versions it
linked, and nothing a reader of other runs holds; version records and what existing versions
were derived from are forgotten only by the rare writes that change them. An answer read
while a write that touched it committed is not kept.

It holds what the nested walk reads most: each artifact version's neighbours along
DERIVED_FROM (a hop over a 400-version frontier costs ~10 ms on LadybugDB), artifact version
records, and the rows of keyed queries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Generic, TypeVar

from lineageql.graph.store import GraphStore, Topic

V = TypeVar("V")

MAX_ENTRIES = 500_000
"""Beyond this many answers a cache starts over (about 100 MB at worst)."""


class KeyedCache(Generic[V]):
    """One kind of keyed answer (e.g. upstream neighbours by version id), kept under one
    topic. ``covers(key, answer)`` names the nodes an answer depends on besides its key;
    with ``per_key`` off, any write to the topic forgets every answer (for answers that
    depend on more than they can name, such as a whole lineage walk); with ``keep_missing``
    off, a key answered None is asked again next time (a record created later must not stay
    missing)."""

    def __init__(
        self,
        store: GraphStore,
        topic: Topic,
        *,
        covers: Callable[[str, V], Iterable[str]] | None = None,
        per_key: bool = True,
        keep_missing: bool = True,
    ) -> None:
        self._store = store
        self._topic = topic
        self._covers = covers
        self._per_key = per_key
        self._keep_missing = keep_missing
        self._generation = -1
        self._entries: dict[str, V] = {}
        self._holders: dict[str, set[str]] = {}
        """Node key -> the kept keys whose answers cover it (may name keys since gone)."""

    def _current(self) -> dict[str, V]:
        """The kept answers, with what writes touched since the last look forgotten."""
        generation = self._store.generation_of(self._topic)
        if generation != self._generation:
            touched = self._store.touched_since(self._topic, self._generation)
            if touched is None or not self._per_key or len(self._entries) > MAX_ENTRIES:
                self._entries, self._holders = {}, {}
            else:
                self._forget(touched)
            self._generation = generation
        return self._entries

    def _forget(self, touched: frozenset[str]) -> None:
        for node in touched:
            for key in self._holders.pop(node, ()):
                self._entries.pop(key, None)

    async def get_many(
        self, keys: Sequence[str], read: Callable[[list[str]], Awaitable[dict[str, V]]]
    ) -> dict[str, V]:
        """The answer for each key: kept ones, and ``read`` for the rest (which must answer
        every key it is given)."""
        entries = self._current()
        generation = self.generation()
        missing = [key for key in dict.fromkeys(keys) if key not in entries]
        found = {key: entries[key] for key in keys if key in entries}
        if missing:
            fresh = await read(missing)
            found.update(fresh)
            self._keep(generation, fresh)
        return found

    def peek(self, keys: Sequence[str]) -> dict[str, V] | None:
        """The kept answers of every key, or None unless all are kept (nothing is read)."""
        entries = self._current()
        if any(key not in entries for key in keys):
            return None
        return {key: entries[key] for key in keys}

    def generation(self) -> int:
        """The topic's count, to pass to ``prime`` for answers read from now on."""
        return self._store.generation_of(self._topic)

    def prime(self, read_at: int, answers: Mapping[str, V]) -> None:
        """Keep answers another read brought along, read at generation ``read_at``."""
        self._keep(read_at, answers)

    def _keep(self, read_at: int, answers: Mapping[str, V]) -> None:
        entries = self._current()
        touched: frozenset[str] | None = frozenset()
        if read_at != self._generation:
            # Writes committed while these answers were read: keep only what they spared.
            touched = self._store.touched_since(self._topic, read_at)
            if touched is None or not self._per_key:
                return
        for key, value in answers.items():
            if value is None and not self._keep_missing:
                continue
            covered = {key, *(self._covers(key, value) if self._covers else ())}
            if touched and not touched.isdisjoint(covered):
                continue
            entries[key] = value
            for node in covered:
                self._holders.setdefault(node, set()).add(key)
