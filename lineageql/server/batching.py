"""Group commit: writes that arrive while one is under way go together in the next
transaction, so a burst of small writes (OpenLineage events) shares the cost of committing.

A failed batch is written again one item at a time, so one bad item fails only its own
request, and every request learns its own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_BATCH = 64


class GroupCommit(Generic[T]):
    """Hands items to ``write_many`` in batches, one batch at a time."""

    def __init__(self, write_many: Callable[[Sequence[T]], Awaitable[None]]) -> None:
        self._write_many = write_many
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, item: T) -> None:
        """Return once ``item`` is stored; raise what storing it raised."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._waiting:
            batch = self._waiting[:MAX_BATCH]
            del self._waiting[:MAX_BATCH]
            try:
                await self._write_many([item for item, _ in batch])
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error)
                    continue
                for item, future in batch:
                    try:
                        await self._write_many([item])
                    except Exception as alone:
                        _settle(future, alone)
                    else:
                        _settle(future, None)
                continue
            for _, future in batch:
                _settle(future, None)


def _settle(future: asyncio.Future[None], error: Exception | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
