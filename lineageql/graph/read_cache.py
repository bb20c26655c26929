"""Answers of keyed reads kept for as long as they are sure to be current.

- For a store only this process writes (the embedded store admits one writing process),
  answers are kept between requests: every change passes through this process and counts
  against the topics it touches (``store.Topic``), and a cache forgets its answers when its
  topic's count moves. So a run recorded or an event ingested forgets runs, steps and links,
  but not version records or what existing versions were derived from, which no such write
  changes. An answer read while a write of its topic committed is not kept (its count at the
  start of the read no longer matches).
- For a store others write too (Neo4j), answers are kept inside a read scope only
  (``read_scope()``, one GraphQL query): each record is read once per query, and a read that
  joins records in anyway (a step's outputs with their versions) hands them over, so the
  next level of the query does not ask again.

It holds what the nested walk reads most: each artifact version's neighbours along
DERIVED_FROM (a hop over a 400-version frontier costs ~10 ms on LadybugDB), artifact version
records, and the rows of keyed queries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from lineageql.graph.store import GraphStore, Topic

V = TypeVar("V")

MAX_ENTRIES = 500_000
"""Beyond this many answers the shared cache starts over (about 100 MB at worst)."""

_scope: ContextVar[dict[KeyedCache[Any], dict[str, Any]] | None] = ContextVar(
    "lineageql_read_scope", default=None
)


@contextmanager
def read_scope() -> Iterator[None]:
    """Keep keyed answers until the block ends (one read-only request; tasks it starts share
    the scope). Inside a scope a store written by others can serve a record twice from one
    read; writes must not happen inside one."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


class KeyedCache(Generic[V]):
    """One kind of keyed answer (e.g. upstream neighbours by version id), kept under one
    topic; with ``keep_missing`` off, a key answered None is asked again next time (a record
    created later must not stay missing)."""

    def __init__(self, store: GraphStore, topic: Topic, keep_missing: bool = True) -> None:
        self._store = store
        self._topic = topic
        self._keep_missing = keep_missing
        self._generation = -1
        self._entries: dict[str, V] = {}

    def _current(self) -> dict[str, V] | None:
        """Where answers are kept now: the shared entries, the scope's, or nowhere."""
        if self._store.sole_writer:
            generation = self._store.generation_of(self._topic)
            if generation != self._generation or len(self._entries) > MAX_ENTRIES:
                self._entries = {}
                self._generation = generation
            return self._entries
        scope = _scope.get()
        return None if scope is None else scope.setdefault(self, {})

    async def get_many(
        self, keys: Sequence[str], read: Callable[[list[str]], Awaitable[dict[str, V]]]
    ) -> dict[str, V]:
        """The answer for each key: kept ones, and ``read`` for the rest (which must answer
        every key it is given)."""
        entries = self._current()
        if entries is None:
            return await read(list(dict.fromkeys(keys)))
        generation = self.generation()
        missing = [key for key in dict.fromkeys(keys) if key not in entries]
        found = {key: entries[key] for key in keys if key in entries}
        if missing:
            fresh = await read(missing)
            found.update(fresh)
            self._keep(entries, generation, fresh)
        return found

    def generation(self) -> int:
        """The topic's count, to pass to ``prime`` for answers read from now on."""
        return self._store.generation_of(self._topic)

    def prime(self, read_at: int, answers: Mapping[str, V]) -> None:
        """Keep answers another read brought along, read at generation ``read_at``."""
        entries = self._current()
        if entries is not None:
            self._keep(entries, read_at, answers)

    def _keep(self, entries: dict[str, V], read_at: int, answers: Mapping[str, V]) -> None:
        if self._store.sole_writer and (
            self.generation() != read_at or self._entries is not entries
        ):
            return
        if self._keep_missing:
            entries.update(answers)
        else:
            entries.update((key, value) for key, value in answers.items() if value is not None)
