"""The HTTP server: Starlette with GraphQL (and GraphiQL) at /graphql and /health.

``create_app`` is loaded on first use (PEP 562), so that commands importing one of the
server's small modules (its host rules, its protocol) do not pay for the whole app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lineageql.server.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from lineageql.server.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
