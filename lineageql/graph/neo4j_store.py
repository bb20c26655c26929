"""The Neo4j store: the async neo4j driver; reads in auto-commit transactions, writes in
managed ones, both retried while the server (or a cluster's leader) is away.

Reads run in read-access sessions and writes in write-access ones, so a cluster (``neo4j://``
routing URLs, Aura) serves reads from its secondaries. All sessions share the driver's
bookmark manager, so a writer's next read sees its own write even on another cluster member.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.exceptions import (
    AuthError,
    ConfigurationError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from lineageql.errors import ConflictError, StoreUnavailableError
from lineageql.graph import queries as q
from lineageql.graph.migrations import neo4j_statements
from lineageql.graph.store import (
    EVERYTHING,
    GraphStore,
    Params,
    Row,
    Topic,
    Touched,
    Touches,
    touched,
)

T = TypeVar("T")

_UNREACHABLE = (ServiceUnavailable, SessionExpired, AuthError, ConfigurationError)
"""Failures that mean the server is out of reach: an outage, not a bug."""

# ValueError and OSError: while connecting, the driver reports an address it cannot resolve
# (e.g. a bad port) as one. Later they are bugs and reach the caller as INTERNAL errors.
_UNREACHABLE_ON_CONNECT = (*_UNREACHABLE, OSError, ValueError)

logger = logging.getLogger(__name__)
_FIRST_RETRY_PAUSE_SECONDS = 0.1
_LAST_RETRY_PAUSE_SECONDS = 2.0
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


CHANGES_KEPT = 10_000
"""Numbered writes kept in the database for other processes to learn from; one that falls
further behind forgets every answer it kept."""


class Neo4jStore(GraphStore):
    """A Neo4j database (single server, cluster or Aura) reached over Bolt.

    Several processes write one database (server workers, SDK runs writing straight to it),
    so each write transaction also numbers itself and keeps what it touched
    (``queries.APPEND_CHANGE``); before each request, ``sync_changes`` reads what others
    wrote since, and read caches forget exactly those answers, as on the embedded store.
    """

    prunes_walks = True

    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        database: str | None = None,
        *,
        retry_seconds: float = 15.0,
    ) -> None:
        """``retry_seconds`` bounds how long a transaction is retried while the server (or a
        cluster's leader) is away before the caller gets StoreUnavailableError."""
        self.url = url
        self._synced: int | None = None
        """The newest write number this process has learned of (None: not looked yet)."""
        self._own: set[int] = set()
        """Numbers of this process's writes, already applied, not yet passed by a sync."""
        self._user = user
        self._columns: dict[str, tuple[str, ...]] = {}
        self._database = database
        self._retry_seconds = retry_seconds
        try:
            # Optional properties that no node has yet are normal here, not a typo to warn of.
            self._driver = AsyncGraphDatabase.driver(
                url,
                auth=(user, password),
                max_transaction_retry_time=retry_seconds,
                notifications_disabled_classifications=[
                    neo4j.NotificationDisabledClassification.UNRECOGNIZED,
                    # `CALL { ... }` (see read) is deprecated in favour of `CALL () { ... }`,
                    # which Neo4j before 5.23 does not parse; the older form works on all 5.x.
                    neo4j.NotificationDisabledClassification.DEPRECATION,
                ],
            )
        except (ValueError, ConfigurationError) as error:
            raise StoreUnavailableError(f"invalid Neo4j URL {url!r}: {error}") from error

    async def connect(self) -> None:
        """Check that the server answers; raise StoreUnavailableError naming the URL if not."""
        try:
            await self._driver.verify_connectivity()
        except _UNREACHABLE_ON_CONNECT as error:
            raise self._unavailable(error) from error

    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        """Rows of a read query, in an auto-commit transaction: one network round trip where a
        managed transaction takes two (BEGIN+RUN+PULL, then COMMIT; 1.6 against 0.8 ms for
        ``RETURN 1`` on a local server). Failures the driver calls retryable are retried, as
        a managed transaction would, for up to ``retry_seconds``.

        After a query's first run its columns are known, and it runs wrapped so that all its
        rows come back as one list in one record: the async driver spends ~40 µs per record
        (800 rows: 30 to 45 ms against 6 to 13 ms collected; the server's own work was 3 ms)."""
        self.round_trips += 1
        deadline = time.monotonic() + self._retry_seconds
        pause = _FIRST_RETRY_PAUSE_SECONDS
        while True:
            try:
                async with self._session(neo4j.READ_ACCESS) as session:
                    return await self._rows(session, query, params)
            except (Neo4jError, DriverError) as error:
                if not error.is_retryable() or time.monotonic() + pause > deadline:
                    if isinstance(error, _UNREACHABLE):
                        raise self._unavailable(error) from error
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LAST_RETRY_PAUSE_SECONDS)

    async def _rows(
        self, session: neo4j.AsyncSession, query: str, params: Params | None
    ) -> list[Row]:
        columns = self._columns.get(query)
        if columns is None:
            result = await session.run(query, dict(params or {}))
            keys = result.keys()
            if all(_IDENTIFIER.fullmatch(key) for key in keys):
                self._columns[query] = tuple(keys)
            rows: list[list[Any]] = await result.values()
            return [dict(zip(keys, row, strict=True)) for row in rows]
        listed = ", ".join(columns)
        wrapped = f"CALL {{ {query} }} RETURN collect([{listed}]) AS rows"
        record = await (await session.run(wrapped, dict(params or {}))).single(strict=True)
        return [dict(zip(columns, row, strict=True)) for row in record["rows"]]

    async def write(
        self, work: Callable[[_Neo4jTransaction], Awaitable[T]], touches: Touches = EVERYTHING
    ) -> T:
        async def managed(tx: AsyncManagedTransaction) -> tuple[T, Touched, int]:
            transaction = _Neo4jTransaction(self, tx)
            result = await work(transaction)
            change = touched(touches, result)
            [row] = await transaction.run(q.APPEND_CHANGE, {"touched": _encoded(change)})
            seq = int(row["seq"])
            if seq % 100 == 0:
                await transaction.run(q.FORGET_CHANGES, {"below": seq - CHANGES_KEPT})
            return result, change, seq

        result, change, seq = await self._session_call(neo4j.WRITE_ACCESS, managed)
        self._own.add(seq)
        self.count_write(change)
        self.changes.notify()
        return result

    async def sync_changes(self) -> None:
        """Apply what other processes' writes touched since the last look."""
        if self._synced is None:
            # Nothing is kept yet: start from now.
            rows = await self.read(q.CHANGES_AFTER, {"after": 2**62})
            self._synced = int(rows[0]["current"]) if rows else 0
            return
        rows = await self.read(q.CHANGES_AFTER, {"after": self._synced})
        current = int(rows[0]["current"]) if rows else 0
        changes = [(int(row["seq"]), row["touched"]) for row in rows if row["seq"] is not None]
        if current < self._synced or (changes and changes[0][0] > self._synced + 1):
            # The database was emptied or replaced, or its log no longer reaches back here.
            self.count_write(EVERYTHING)
        for seq, encoded in changes:
            if seq in self._own:
                self._own.discard(seq)
            else:
                self.count_write(_decoded(encoded))
        self._synced = current
        self._own = {seq for seq in self._own if seq > current}

    async def migrate(self) -> None:
        for statement in neo4j_statements():
            try:
                async with self._session(neo4j.WRITE_ACCESS) as session:
                    await (await session.run(statement)).consume()
            except _UNREACHABLE_ON_CONNECT as error:
                raise self._unavailable(error) from error

    async def ping(self) -> None:
        await self.read("RETURN 1 AS ok")

    async def close(self) -> None:
        await self._driver.close()

    def _session(self, access_mode: str) -> neo4j.AsyncSession:
        return self._driver.session(
            database=self._database,
            default_access_mode=access_mode,
            bookmark_manager=self._driver.execute_query_bookmark_manager,
        )

    async def _session_call(
        self, access_mode: str, work: Callable[[AsyncManagedTransaction], Awaitable[T]]
    ) -> T:
        try:
            async with self._session(access_mode) as session:
                if access_mode == neo4j.READ_ACCESS:
                    return await session.execute_read(work)
                return await session.execute_write(work)
        except ConstraintError as error:
            raise ConflictError(f"already stored: {error.message}") from error
        except _UNREACHABLE as error:
            raise self._unavailable(error) from error

    def _unavailable(self, error: Exception) -> StoreUnavailableError:
        reason = error.message if isinstance(error, Neo4jError) else str(error)
        if isinstance(error, AuthError):
            logger.warning("Neo4j at %s refused the credentials: %s", self.url, reason)
            return StoreUnavailableError(
                f"Neo4j at {self.url} refused the credentials of user {self._user!r}: "
                f"{reason.rstrip('.')}. "
                "Check LINEAGEQL_NEO4J_USER and LINEAGEQL_NEO4J_PASSWORD"
            )
        logger.warning("Neo4j at %s is out of reach: %s", self.url, reason)
        return StoreUnavailableError(f"cannot reach Neo4j at {self.url}: {reason}")


def _encoded(change: Touched) -> str:
    return json.dumps(
        {topic.value: None if keys is None else sorted(keys) for topic, keys in change.items()}
    )


def _decoded(text: str) -> Touched:
    return {Topic(topic): keys for topic, keys in json.loads(text).items()}


class _Neo4jTransaction:
    """One attempt of a managed Neo4j write transaction."""

    def __init__(self, store: Neo4jStore, tx: AsyncManagedTransaction) -> None:
        self._store = store
        self._tx = tx

    async def run(self, query: str, params: Params | None = None) -> list[Row]:
        self._store.round_trips += 1
        return await _fetch(self._tx, query, params)


async def _fetch(tx: AsyncManagedTransaction, query: str, params: Params | None) -> list[Row]:
    """All rows as plain dicts; ``values()`` measured about 30% faster than ``data()``."""
    result = await tx.run(query, dict(params or {}))
    keys = result.keys()
    rows: list[list[Any]] = await result.values()
    return [dict(zip(keys, row, strict=True)) for row in rows]
