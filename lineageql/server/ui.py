"""The lineage explorer in the browser: its pages (every deep link answers the same page;
the app picks the view), its assets, and GraphiQL, all served from the package itself.

The bundle in ``static/`` is built from ``ui/`` (``scripts/build-ui``); nothing needs Node.js
to run it. Every response carries a content security policy that allows this origin only.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).resolve().parent / "static"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # React Flow positions nodes with style attributes; CodeMirror sets some too.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/static/{bundle}.css">
</head>
<body>
<div id="{root}"></div>
<script type="module" src="/static/{bundle}.js"></script>
</body>
</html>
"""

APP_PAGE = _PAGE.format(title="lineageql", bundle="app", root="root")
GRAPHIQL_PAGE = _PAGE.format(title="lineageql GraphiQL", bundle="graphiql", root="graphiql")
PAGE_PATHS = (
    "/",
    "/pipelines/{name:path}",
    "/runs/{id}",
    "/artifact-versions/{id}",
    "/compare",
    "/models",
    "/models/{rest:path}",
)


async def app_page(request: Request) -> Response:
    return HTMLResponse(APP_PAGE)


def ui_routes() -> list[BaseRoute]:
    """The explorer's pages and the static assets (mount these after the API's routes)."""
    pages: list[BaseRoute] = [Route(path, app_page, methods=["GET"]) for path in PAGE_PATHS]
    return [*pages, Mount("/static", StaticFiles(directory=STATIC), name="static")]


class ContentSecurityPolicy:
    """Adds the content security policy (and no-sniff) to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_policy)
