"""uvicorn's HTTP protocol with a deadline on request heads: a connection that opens and sends
nothing, or sends its headers a byte at a time, is answered 408 and closed instead of held
forever (uvicorn closes idle keep-alive connections, but not these)."""

from __future__ import annotations

import asyncio
import functools

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from lineageql.settings import Settings

_TIMEOUT_BODY = (
    b'{"errors":[{"message":"no request head within the deadline",'
    b'"extensions":{"code":"REQUEST_TIMEOUT"}}]}'
)
TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
    + f"content-length: {len(_TIMEOUT_BODY)}\r\n\r\n".encode()
    + _TIMEOUT_BODY
)


@functools.cache
def head_seconds() -> float:
    """``LINEAGEQL_REQUEST_TIMEOUT_SECONDS``, read once per process (each worker process
    reads its own environment, as it does for the rest of its settings)."""
    return Settings().request_timeout_seconds


class DeadlineHttpProtocol(HttpToolsProtocol):
    """Closes a connection whose request head is not complete ``head_seconds()`` after it
    connected or began the request (with a 408). Give uvicorn the class itself (``http=``):
    worker processes receive it by name."""

    head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_head_timer()

    def on_headers_complete(self) -> None:
        self._stop_head_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def _start_head_timer(self) -> None:
        self._stop_head_timer()
        self.head_timer = self.loop.call_later(head_seconds(), self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if not self.transport.is_closing():
            if self.cycle is None or self.cycle.response_complete:
                self.transport.write(TIMEOUT_RESPONSE)
            self.transport.close()
