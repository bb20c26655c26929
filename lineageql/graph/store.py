"""The interface both graph stores implement: run Cypher, return plain rows.

The repository speaks only to this interface. A store turns its driver's results into
``list[dict]`` of plain Python values and its driver's failures into lineageql errors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Mapping
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from lineageql.graph.changes import ChangeNotifier

Row = dict[str, Any]
Params = Mapping[str, Any]
T = TypeVar("T")


class Topic(StrEnum):
    """What a kept answer depends on, so a write forgets only the answers it can change.

    History is almost all immutable: a version's record never changes, and neither does its
    upstream once its producing step has linked it. Writes say which topics they touch
    (``GraphStore.write``); an answer kept under a topic is forgotten when one does.
    """

    GRAPH = "graph"
    """Runs, steps, their links and statuses, artifacts' versions, downstream lineage."""
    UPSTREAM = "upstream"
    """What an existing version was derived from and who produced it: touched only by writes
    that link an existing version as an output, or an input to an existing step, and by
    deletes."""
    VERSIONS = "versions"
    """Artifact version records (only present ones are kept): touched only by deletes."""
    ANNOTATIONS = "annotations"
    """Tags and metadata."""


Touched = Mapping[Topic, Collection[str] | None]
"""What one write touched, per topic: the keys of what it changed (the ids of the nodes it
created or changed and of both ends of each relationship it made, and the names and cache
keys they are looked up by), or None for anything under the topic."""
Touches = Touched | Callable[[Any], Touched]
"""What a write touches, or a function of the write's result that says."""
EVERYTHING: Touched = dict.fromkeys(Topic)
CHANGE_LOG = 1_000
"""Writes remembered per topic; a cache further behind than that forgets all it holds."""


def touched(touches: Touches, result: Any) -> Touched:
    return touches(result) if callable(touches) else touches


class Transaction(Protocol):
    """An open transaction: every query run on it commits or rolls back together."""

    async def run(self, query: str, params: Params | None = None) -> list[Row]: ...


class GraphStore(ABC):
    """A graph database that runs lineageql's Cypher.

    ``round_trips`` counts the queries sent to the database, so tests and benchmarks can
    check that a batched read is one round trip.
    """

    url: str
    round_trips: int = 0
    prunes_walks: bool = False
    """True when a variable-length pattern returning distinct end nodes runs as a pruning
    breadth-first search (Neo4j's ``VarLengthExpand(Pruning)``), not path by path, so a whole
    lineage neighbourhood is one query (``queries.DERIVED_CLOSURE``)."""

    def generation_of(self, topic: Topic) -> int:
        """Counts the committed write transactions that touched ``topic`` (for caches)."""
        log = self._change_logs.get(topic)
        return log[-1][0] if log else 0

    def touched_since(self, topic: Topic, generation: int) -> frozenset[str] | None:
        """The keys under ``topic`` that writes after ``generation`` touched; None when one
        touched anything under it, or the log no longer reaches back that far."""
        log = list(self._change_logs.get(topic, ()))  # a copy: the writer thread appends
        if not log or log[-1][0] <= generation:
            return frozenset()
        if log[0][0] > generation + 1:
            return None
        keys: set[str] = set()
        for count, touched_keys in reversed(log):
            if count <= generation:
                break
            if touched_keys is None:
                return None
            keys.update(touched_keys)
        return frozenset(keys)

    def count_write(self, touched: Touched) -> None:
        """Count one committed write transaction and what it touched."""
        for topic, keys in touched.items():
            log = self._change_logs.setdefault(topic, deque(maxlen=CHANGE_LOG))
            count = log[-1][0] + 1 if log else 1
            log.append((count, None if keys is None else frozenset(keys)))

    @property
    def _change_logs(self) -> dict[Topic, deque[tuple[int, frozenset[str] | None]]]:
        logs = self.__dict__.get("_logs")
        if logs is None:
            logs = self.__dict__["_logs"] = {}
        return logs

    async def sync_changes(self) -> None:  # noqa: B027 - a store only this process writes needs none
        """Learn what other processes wrote since the last look (nothing to learn where this
        process is the only writer). Called before each request reads."""

    @property
    def changes(self) -> ChangeNotifier:
        """Notified after each write transaction this object commits."""
        notifier = self.__dict__.get("_changes")
        if notifier is None:
            notifier = self.__dict__["_changes"] = ChangeNotifier()
        return notifier

    @abstractmethod
    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        """Run one read-only query in a read transaction."""

    @abstractmethod
    async def write(
        self, work: Callable[[Transaction], Awaitable[T]], touches: Touches = EVERYTHING
    ) -> T:
        """Run ``work`` in one write transaction; an exception in it rolls everything back.
        Once it commits, the topics it ``touches`` count the write (see ``Topic``).

        ``work`` may be called again when the database asks for a retry, so it must not have
        side effects outside the transaction.
        """

    @abstractmethod
    async def migrate(self) -> None:
        """Create the schema, constraints and indexes; safe to run any number of times."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise StoreUnavailableError unless the database answers a trivial query."""

    @abstractmethod
    async def close(self) -> None:
        """Release the connection and, for the embedded store, the file lock."""
