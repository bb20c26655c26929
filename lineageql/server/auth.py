"""Bearer tokens: what a request may do, given the server's settings and its headers."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from lineageql.settings import Settings


@dataclass(frozen=True)
class Access:
    may_read: bool
    may_write: bool
    actor: str | None = None
    """Who the token says the caller is (its fingerprint), kept with stage changes."""


def access_of(connection: HTTPConnection, settings: Settings) -> Access:
    """Without ``api_token`` anyone may do anything; with it, writes need the token, and
    reads too when ``read_token_required`` is set."""
    return access_for(connection.headers.get("authorization", ""), settings)


def access_for(authorization: str, settings: Settings) -> Access:
    """What an ``Authorization`` value (``Bearer <token>``) allows."""
    if settings.api_token is None:
        return Access(may_read=True, may_write=True)
    expected = settings.api_token.get_secret_value().encode()
    scheme, _, given = authorization.partition(" ")
    valid = scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)
    actor = f"token:{hashlib.sha256(expected).hexdigest()[:12]}" if valid else None
    return Access(may_read=valid or not settings.read_token_required, may_write=valid, actor=actor)
