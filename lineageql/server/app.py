"""The Starlette application: ``/graphql`` (GraphiQL in a browser, subscriptions over
WebSocket), ``/health``, the artifact download route and ``/api/v1/lineage``
(OpenLineage), behind the body-size limit and (when configured) CORS."""

from __future__ import annotations

import gc
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType

from lineageql.artifacts import ArtifactStore
from lineageql.budget import ResponseBudget
from lineageql.discovery import remove_record, write_record
from lineageql.errors import StoreUnavailableError
from lineageql.graph import GraphStore, LineageRepository, open_store
from lineageql.graph.connect import is_neo4j_url
from lineageql.schema import Context, schema
from lineageql.server.auth import access_for, access_of
from lineageql.server.downloads import download_endpoint, visualization_endpoint
from lineageql.server.limits import RequestBodyLimits
from lineageql.server.marquez import marquez_routes
from lineageql.server.openlineage import PATH as OPENLINEAGE_PATH
from lineageql.server.openlineage import lineage_endpoint
from lineageql.server.origins import TrustedOrigins
from lineageql.server.ui import GRAPHIQL_PAGE, ContentSecurityPolicy, ui_routes
from lineageql.settings import Settings


class LineageGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with a fresh Context (and fresh loaders) per request."""

    def __init__(self, settings: Settings, artifact_store: ArtifactStore) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.settings = settings
        self.artifact_store = artifact_store
        self.repo: LineageRepository | None = None

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL from the package's own bundle, not from a public CDN: it works offline."""
        return HTMLResponse(GRAPHIQL_PAGE)

    def decode_json(self, data: str | bytes) -> object:
        """Request bodies, query variables and socket messages parsed by orjson, which refuses
        nesting past 1,024 levels with a parse error (400) where the standard library
        recurses until it fails."""
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        """Responses encoded by orjson; a value it refuses (an integer beyond 64 bits in a
        JSON field) falls back to the standard library. Text, not bytes: Strawberry sends
        bytes over a WebSocket as binary frames, which graphql-transport-ws clients refuse."""
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return json.dumps(data, separators=(",", ":"))

    def repository(self) -> LineageRepository:
        if self.repo is None:
            raise StoreUnavailableError("the server has not opened its store yet")
        return self.repo

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """A socket sends its token in the connection_init payload (browsers cannot set
        headers on a WebSocket): ``{"Authorization": "Bearer <token>"}``. A socket that may not
        read is refused (closed with 4403)."""
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization", ""))
        access = access_for(authorization if isinstance(authorization, str) else "", self.settings)
        context.may_read = context.may_read or access.may_read
        context.may_write = context.may_write or access.may_write
        if not context.may_read:
            raise ConnectionRejectionError()
        return await super().on_ws_connect(context)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        access = access_of(request, self.settings)
        return Context(
            self.repository(),
            self.artifact_store,
            may_read=access.may_read,
            may_write=access.may_write,
            actor=access.actor,
            budget=ResponseBudget(self.settings.max_response_objects),
        )


def create_app(
    settings: Settings | None = None,
    store: GraphStore | None = None,
    advertise_url: str | None = None,
) -> Starlette:
    """The app over ``store``, or over the store ``settings`` name (opened at start-up).

    With ``advertise_url``, a server on an embedded store records that URL beside the store
    while it runs, so other processes on this machine go through it.
    """
    settings = settings or Settings()
    settings.check_serving()
    state: dict[str, GraphStore] = {}
    graphql = LineageGraphQL(settings, ArtifactStore(settings.artifact_store))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        opened = store or await open_store(settings)
        state["store"] = opened
        # What start-up made (modules, the schema, the store's connections) lives as long as
        # the server: frozen, the collector's full passes no longer walk it, which took a
        # tenth of a second, stalling every request, each time one ran.
        gc.collect()
        gc.freeze()
        graphql.repo = LineageRepository(opened)
        advertise = advertise_url is not None and not is_neo4j_url(settings.store)
        if advertise:
            write_record(settings.store, str(advertise_url))
        try:
            yield
        finally:
            if advertise:
                remove_record(settings.store)
            if store is None:
                await opened.close()

    async def health(request: Request) -> JSONResponse:
        try:
            await state["store"].ping()
        except StoreUnavailableError as error:
            return JSONResponse({"status": "unavailable", "error": error.message}, 503)
        return JSONResponse({"status": "ok"})

    download = download_endpoint(
        graphql.repository,
        graphql.artifact_store,
        lambda request: access_of(request, settings).may_read,
    )
    visualization = visualization_endpoint(
        graphql.repository,
        graphql.artifact_store,
        lambda request: access_of(request, settings).may_read,
    )
    receive_lineage = lineage_endpoint(
        graphql.repository, lambda request: access_of(request, settings).may_write
    )
    routes = [
        *ui_routes(),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/health", health),
        Route("/artifact-versions/{id}/download", download),
        Route("/artifact-versions/{id}/visualizations/{index:int}", visualization),
        Route(OPENLINEAGE_PATH, receive_lineage, methods=["POST"]),
        *marquez_routes(graphql.repository, lambda request: access_of(request, settings).may_read),
    ]
    middleware = [
        Middleware(ContentSecurityPolicy),
        Middleware(TrustedOrigins, settings=settings),
        Middleware(
            RequestBodyLimits,
            max_bytes=settings.max_request_bytes,
            seconds=settings.request_timeout_seconds,
        ),
    ]
    if settings.cors_origin_list:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origin_list,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
