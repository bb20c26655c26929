"""Requests only from clients that mean it: a Host a page on another site cannot forge (DNS
rebinding) while no token guards the server, and WebSockets only from origins the server
admits (browsers apply no CORS to sockets, so the server checks their ``Origin``)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from lineageql.settings import Settings

LOOPBACK_NAMES = ("localhost",)


def host_name(host: str) -> str:
    """The name part of a ``Host`` header (``[::1]:8000`` → ``::1``), lower-cased."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def is_loopback(name: str) -> bool:
    """Whether ``name`` (a host name or address) stays on this machine."""
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class TrustedOrigins:
    """ASGI middleware. Without a token, a request must name this server by an IP address,
    ``localhost`` (or a ``*.localhost`` name) or one of ``LINEAGEQL_ALLOWED_HOSTS``: a page
    that rebinds its own domain to this machine sends its domain as Host and is refused
    (403 ``FORBIDDEN``). A WebSocket that carries an ``Origin`` (a browser's) must come from
    this server's own origin or one of ``LINEAGEQL_CORS_ORIGINS``."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.check_host = settings.api_token is None and "*" not in settings.allowed_host_list
        self.allowed_hosts = {name.lower() for name in settings.allowed_host_list}
        self.origins = set(settings.cors_origin_list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if self.check_host and not self._trusted_host(host_name(host)):
            await self._refuse(
                scope,
                receive,
                send,
                f"this server does not answer to the Host {host!r} without a token: name it by "
                "IP address or localhost, add the name to LINEAGEQL_ALLOWED_HOSTS, or set "
                "LINEAGEQL_API_TOKEN",
            )
            return
        origin = headers.get("origin")
        if scope["type"] == "websocket" and origin and not self._admitted_origin(origin, host):
            await self._refuse(
                scope,
                receive,
                send,
                f"WebSockets from {origin!r} are not admitted: add it to LINEAGEQL_CORS_ORIGINS",
            )
            return
        await self.app(scope, receive, send)

    def _trusted_host(self, name: str) -> bool:
        return is_loopback(name) or is_ip_literal(name) or name in self.allowed_hosts

    def _admitted_origin(self, origin: str, host: str) -> bool:
        if "*" in self.origins or origin in self.origins:
            return True
        return urlsplit(origin).netloc.lower() == host.strip().lower()

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, message: str) -> None:
        if scope["type"] == "websocket":
            # Closing before accepting answers the upgrade with HTTP 403.
            await send({"type": "websocket.close", "code": 4403, "reason": message[:120]})
            return
        response = JSONResponse(
            {"errors": [{"message": message, "extensions": {"code": "FORBIDDEN"}}]},
            status_code=403,
        )
        await response(scope, receive, send)
