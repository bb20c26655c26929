"""The Starlette application: ``/graphql`` (GraphiQL in a browser) and ``/health``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from lineageql.errors import StoreUnavailableError
from lineageql.graph import GraphStore, LineageRepository, open_store
from lineageql.schema import Context, schema
from lineageql.settings import Settings


class LineageGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with a fresh Context (and fresh loaders) per request."""

    repo: LineageRepository | None = None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        if self.repo is None:
            raise StoreUnavailableError("the server has not opened its store yet")
        return Context(self.repo)


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> Starlette:
    """The app over ``store``, or over the store ``settings`` name (opened at start-up)."""
    state: dict[str, GraphStore] = {}
    graphql = LineageGraphQL(schema, graphql_ide="graphiql")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        opened = store or await open_store(settings or Settings())
        state["store"] = opened
        graphql.repo = LineageRepository(opened)
        try:
            yield
        finally:
            if store is None:
                await opened.close()

    async def health(request: Request) -> JSONResponse:
        try:
            await state["store"].ping()
        except StoreUnavailableError as error:
            return JSONResponse({"status": "unavailable", "error": error.message}, 503)
        return JSONResponse({"status": "ok", "store": state["store"].url})

    routes = [Route("/graphql", graphql, methods=["GET", "POST"]), Route("/health", health)]
    return Starlette(routes=routes, lifespan=lifespan)
