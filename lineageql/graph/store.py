"""The interface both graph stores implement: run Cypher, return plain rows.

The repository speaks only to this interface. A store turns its driver's results into
``list[dict]`` of plain Python values and its driver's failures into lineageql errors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar

from lineageql.graph.changes import ChangeNotifier

Row = dict[str, Any]
Params = Mapping[str, Any]
T = TypeVar("T")


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
    sole_writer: bool = False
    """True when no other process writes this store, so this process sees every change."""
    prunes_walks: bool = False
    """True when a variable-length pattern returning distinct end nodes runs as a pruning
    breadth-first search (Neo4j's ``VarLengthExpand(Pruning)``), not path by path, so a whole
    lineage neighbourhood is one query (``queries.DERIVED_CLOSURE``)."""
    generation: int = 0
    """Counts the write transactions committed through this object (for caches)."""

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
    async def write(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run ``work`` in one write transaction; an exception in it rolls everything back.

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
