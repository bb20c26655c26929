"""When a running step is recorded as running: only once it has run for a while, or as soon
as its code asks for its id. A quicker step is recorded once, whole, when it ends (one
transaction instead of two), so live views see every step that takes noticeable time
running, and the bookkeeping of short steps stays small."""

from __future__ import annotations

import threading
from collections.abc import Callable

RUNNING_AFTER_SECONDS = 0.5
"""A step still running after this long is recorded as running."""


class DeferredStart:
    """Calls ``record_start`` (which returns the step's id) at most once: when ``delay``
    seconds have passed, or when ``id()`` is asked for first, unless the step ended before."""

    def __init__(
        self, record_start: Callable[[], str], delay: float = RUNNING_AFTER_SECONDS
    ) -> None:
        self._record_start = record_start
        self._lock = threading.Lock()
        self._id: str | None = None
        self._error: BaseException | None = None
        self._ended = False
        self._timer = threading.Timer(delay, self._on_time)
        self._timer.daemon = True
        self._timer.start()

    def id(self) -> str:
        """The step's id, recording its start now if that has not happened yet."""
        with self._lock:
            if self._id is None:
                self._id = self._record_start()
            return self._id

    def end(self) -> str | None:
        """The step has ended: no start is recorded from now on. Returns the id if it was
        (then the step is finished, not recorded whole); raises what recording it raised."""
        self._timer.cancel()
        with self._lock:
            self._ended = True
            if self._error is not None:
                raise self._error
            return self._id

    def _on_time(self) -> None:
        with self._lock:
            if self._ended or self._id is not None:
                return
            try:
                self._id = self._record_start()
            except BaseException as error:
                self._error = error
