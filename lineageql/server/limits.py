"""Limits on reading a request body: its size (413), how long it may take to arrive (408),
and a client that goes away mid-body (one log line, no traceback)."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("lineageql.server")


class BodyTooLarge(Exception):
    """Raised inside ``receive`` when the body passes the limit."""


class BodyTooSlow(Exception):
    """Raised inside ``receive`` when the next piece of the body does not arrive in time."""


class RequestBodyLimits:
    """ASGI middleware: a body larger than ``max_bytes`` gets 413, one whose next piece takes
    longer than ``seconds`` gets 408, each with a JSON error; a client that disconnects
    before its body arrived is logged in one line."""

    def __init__(self, app: ASGIApp, max_bytes: int, seconds: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(scope, receive, send, *self._too_large())
            return
        seen = 0
        body_done = False
        started = False

        async def guarded_receive() -> Message:
            nonlocal seen, body_done
            if body_done:
                # Past the body, receive only waits for a disconnect: no deadline then.
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.seconds)
            except TimeoutError:
                raise BodyTooSlow from None
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge
            body_done = message["type"] != "http.request" or not message.get("more_body")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracking_send)
        except (BodyTooLarge, BodyTooSlow) as error:
            if started:
                raise
            refusal = self._too_large() if isinstance(error, BodyTooLarge) else self._too_slow()
            await _refuse(scope, receive, send, *refusal)
        except ClientDisconnect:
            client = scope.get("client") or ("?", 0)
            log.warning(
                "%s:%s went away before sending all of %s %s",
                *client,
                scope["method"],
                scope["path"],
            )

    def _too_large(self) -> tuple[int, str, str]:
        message = f"the request body is larger than {self.max_bytes} bytes"
        return 413, "REQUEST_TOO_LARGE", message

    def _too_slow(self) -> tuple[int, str, str]:
        message = f"the request body did not arrive within {self.seconds:g} seconds"
        return 408, "REQUEST_TIMEOUT", message


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str
) -> None:
    response = JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)
