"""Wake-ups for whoever waits on a store's changes (live subscriptions).

A store notifies after each write transaction this process commits. Writes by other
processes (the SDK writing straight to a Neo4j store) are not heard here; waiters cover them
by waiting with a timeout and then looking for themselves.
"""

from __future__ import annotations

import asyncio
import contextlib


class ChangeNotifier:
    """Wakes every waiter, in whatever event loop it waits, after a committed write."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            waiter.get_loop().call_soon_threadsafe(_wake, waiter)

    async def wait(self, timeout: float) -> None:
        """Return after the next committed write, or after ``timeout`` seconds."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, timeout)
        finally:
            self._waiters.discard(waiter)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
