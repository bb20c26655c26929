"""The embedded default store: a LadybugDB database in a local file.

LadybugDB admits one read-write process per database file. Inside this process, writes run
on one connection in one worker thread, and a lock keeps a transaction's queries together.
Reads run on a pool of other connections, several at once (LadybugDB runs a query without
holding the GIL, and reads see what committed before they started), so a slow read or a
write does not queue the reads behind it.

A connection keeps the plan of every statement it has run, made against the data as it was
then; the store replaces its connections at each checkpoint so that plans follow the data.
"""

from __future__ import annotations

import asyncio
import queue
import re
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import ladybug

from lineageql.errors import StoreUnavailableError
from lineageql.graph.ladybug_connection import PreparingConnection
from lineageql.graph.migrations import ladybug_statements
from lineageql.graph.store import EVERYTHING, GraphStore, Params, Row, Touches, touched

T = TypeVar("T")

_LOCK_HOLDER = re.compile(r"Lock is held by PID (\d+)")

READ_CONNECTIONS = 4
"""Reads that run at once; more queue for a free connection."""
CHECKPOINT_EVERY_WRITES = 500
"""Write transactions between checkpoints of the write-ahead log: reads slow down while
many writes sit in it (a run's steps read in 560 against 41 ms, measured once after 200
runs were written), and a checkpoint costs about 100 ms. Connections are replaced then too:
LadybugDB's Python binding keeps each statement's prepared plan for the connection's life,
and a plan made on an empty store slows as the data grows (eight runs' steps read in 3.6
against 0.9 ms planned afresh, after 1,200 event batches on one write connection)."""


class EmbeddedStore(GraphStore):
    """A LadybugDB file opened read-write by this process (the only one that may write it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.url = str(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._database = ladybug.Database(str(self.path))
        except (RuntimeError, OSError) as error:
            raise _open_error(self.path, error) from error
        self._connection = _write_connection(self._database)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lineageql-db")
        self._lock = asyncio.Lock()
        self._generation = 0
        """How many times the connections were replaced; a reader made before the last time
        is replaced when next taken."""
        self._readers: queue.SimpleQueue[tuple[int, PreparingConnection]] = queue.SimpleQueue()
        for _ in range(READ_CONNECTIONS):
            self._readers.put((self._generation, PreparingConnection(self._database)))
        self._read_executor = ThreadPoolExecutor(
            max_workers=READ_CONNECTIONS, thread_name_prefix="lineageql-read"
        )
        self._writes_since_checkpoint = 0

    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        self.round_trips += 1
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._read_executor, self._read_now, query, params)

    def _read_now(self, query: str, params: Params | None) -> list[Row]:
        generation, connection = self._readers.get()
        if generation != self._generation:
            connection.close()
            generation, connection = self._generation, PreparingConnection(self._database)
        try:
            return connection.rows(query, params)
        finally:
            self._readers.put((generation, connection))

    async def write(
        self, work: Callable[[_EmbeddedTransaction], Awaitable[T]], touches: Touches = EVERYTHING
    ) -> T:
        """Run ``work`` as one transaction, wholly on the worker thread: one thread hop per
        transaction rather than one per statement (about 0.3 ms each)."""
        async with self._lock:
            result: T = await self._call(self._transact, work, touches)
        self.changes.notify()
        return result

    def _transact(
        self, work: Callable[[_EmbeddedTransaction], Awaitable[T]], touches: Touches
    ) -> T:
        self._execute("BEGIN TRANSACTION", None)
        try:
            result = _run_to_end(work(_EmbeddedTransaction(self)))
        except BaseException:
            self._rollback()
            raise
        self._execute("COMMIT", None)
        # Counted on the writer's thread, before anyone hears the write has committed.
        self.count_write(touched(touches, result))
        self._writes_since_checkpoint += 1
        if self._writes_since_checkpoint >= CHECKPOINT_EVERY_WRITES:
            self.checkpoint_now()
        return result

    def checkpoint_now(self) -> None:
        """Fold the write-ahead log into the database file, then replace the connections so
        statements are planned again against the data as it now is (on the writer's thread;
        each reader when next taken)."""
        self._execute("CHECKPOINT", None)
        self._writes_since_checkpoint = 0
        stale, self._connection = self._connection, _write_connection(self._database)
        stale.close()
        self._generation += 1

    async def migrate(self) -> None:
        async with self._lock:
            for statement in ladybug_statements():
                await self._call(self._execute, statement, None)
            await self._call(self.checkpoint_now)
            self.count_write(EVERYTHING)

    async def ping(self) -> None:
        await self.read("RETURN 1 AS ok")

    async def close(self) -> None:
        # Reads in flight finish before their connections close (blocking, but only here).
        self._read_executor.shutdown(wait=True)
        async with self._lock:
            try:
                await self._call(self._close_now)
            except RuntimeError:
                # At interpreter exit the worker pool may already be shut down.
                self._close_now()
        self._executor.shutdown(wait=True)

    async def _call(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    def _execute(self, query: str, params: Params | None) -> list[Row]:
        return self._connection.rows(query, params)

    def _rollback(self) -> None:
        """Roll back the open transaction; LadybugDB has already done so if a query failed."""
        try:
            self._execute("ROLLBACK", None)
        except RuntimeError as error:
            if "No active transaction" not in str(error):
                raise

    def _close_now(self) -> None:
        self._connection.close()
        while not self._readers.empty():
            self._readers.get()[1].close()
        self._database.close()


class _EmbeddedTransaction:
    """The open transaction of an EmbeddedStore, used on its worker thread while the store's
    lock is held; each statement runs at once (the coroutine never suspends)."""

    def __init__(self, store: EmbeddedStore) -> None:
        self._store = store

    async def run(self, query: str, params: Params | None = None) -> list[Row]:
        self._store.round_trips += 1
        return self._store._execute(query, params)


def _write_connection(database: ladybug.Database) -> PreparingConnection:
    """The writer's connection. Writes are small: on one thread each, LadybugDB skips
    starting workers per query (a run's steps read in 0.25 against 0.43 ms)."""
    return PreparingConnection(database, num_threads=1)


def _run_to_end(work: Coroutine[Any, Any, T] | Awaitable[T]) -> T:
    """Drive a coroutine that only awaits its transaction's statements to its result."""
    if not isinstance(work, Coroutine):
        raise TypeError("a write transaction's work must be a coroutine")
    try:
        work.send(None)
    except StopIteration as finished:
        return finished.value  # type: ignore[no-any-return]
    work.close()
    raise RuntimeError("a write transaction's work may await only its own statements")


def _open_error(path: Path, error: Exception) -> StoreUnavailableError:
    holder = _LOCK_HOLDER.search(str(error))
    if holder:
        return StoreUnavailableError(
            f"the embedded store {path} is in use by another process (PID {holder.group(1)}); "
            "LadybugDB admits one writing process per file. Stop that process, or send your "
            "requests to the lineageql server it runs"
        )
    return StoreUnavailableError(f"cannot open the embedded store {path}: {error}")
