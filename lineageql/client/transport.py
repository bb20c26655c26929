"""How a client reaches the GraphQL API: in-process against a store, or over HTTP.

Both run the same documents through the same schema, so scripts, the SDK and the CLI behave
the same whether they talk to the embedded store directly or to `lineageql serve`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

import httpx

from lineageql.artifacts import ArtifactStore
from lineageql.errors import AmbiguousError, LineageError, StoreUnavailableError, error_for_code
from lineageql.graph import GraphStore, LineageRepository, open_store
from lineageql.schema import Context, schema
from lineageql.settings import Settings

T = TypeVar("T")
Data = dict[str, Any]


class Transport(Protocol):
    """Runs one GraphQL document; returns ``data`` or raises the error's LineageError."""

    def execute(self, document: str, variables: dict[str, Any] | None = None) -> Data: ...

    def close(self) -> None: ...


def raise_first_error(errors: list[dict[str, Any]]) -> None:
    """Raise the first GraphQL error of a response as the matching LineageError."""
    first = errors[0]
    extensions = first.get("extensions") or {}
    error = error_for_code(extensions.get("code"), first.get("message", "unknown error"))
    if isinstance(error, AmbiguousError):
        error.candidates = list(extensions.get("candidates", []))
    raise error


class InProcessTransport:
    """The schema run in this process against the store ``settings`` name.

    The store lives on an event loop of its own, which the calling thread drives for the
    length of each request: no hop to another thread and back (about 1 ms a request). A
    caller whose thread already runs a loop (a notebook) has its requests driven from a
    helper thread instead. Requests from several threads take turns.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.artifact_store = ArtifactStore(settings.artifact_store)
        self._loop = asyncio.new_event_loop()
        self._turn = threading.Lock()
        self._helper: ThreadPoolExecutor | None = None
        try:
            self._store: GraphStore = self._run(open_store(settings))
        except BaseException:
            self._stop()
            raise
        self._repo = LineageRepository(self._store)

    def execute(self, document: str, variables: dict[str, Any] | None = None) -> Data:
        context = Context(self._repo, self.artifact_store)
        result = self._run(
            schema.execute(document, variable_values=variables, context_value=context)
        )
        if result.errors:
            original = result.errors[0].original_error
            if isinstance(original, LineageError):
                raise original
            raise_first_error([dict(error.formatted) for error in result.errors])
        return dict(result.data or {})

    def close(self) -> None:
        if not self._loop.is_closed():
            self._run(self._store.close())
            self._stop()

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        with self._turn:
            if not _loop_running_here():
                return self._loop.run_until_complete(work)
            if self._helper is None:
                self._helper = ThreadPoolExecutor(1, thread_name_prefix="lineageql-client")
            return self._helper.submit(self._loop.run_until_complete, work).result()

    def _stop(self) -> None:
        if self._helper is not None:
            self._helper.shutdown()
        self._loop.close()


def _loop_running_here() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def server_base_url(url: str) -> str:
    """The server's base URL, given it or its ``/graphql`` endpoint."""
    base = url.strip().rstrip("/")
    return base.removesuffix("/graphql").rstrip("/")


class HttpTransport:
    """A lineageql server at ``url``, with an optional bearer token.

    ``url`` is the server's base URL (``http://host:port``) or its GraphQL endpoint
    (``http://host:port/graphql``, as ``lineageql serve`` prints it); both work.
    """

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0) -> None:
        self.url = server_base_url(url)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def execute(self, document: str, variables: dict[str, Any] | None = None) -> Data:
        try:
            response = self._http.post("/graphql", json={"query": document, "variables": variables})
        except httpx.TransportError as error:
            raise StoreUnavailableError(
                f"cannot reach the lineageql server at {self.url}: {error}"
            ) from error
        try:
            answer = response.json()
        except ValueError as error:
            raise LineageError(
                f"the server at {self.url} answered {response.status_code} without JSON"
            ) from error
        if answer.get("errors"):
            raise_first_error(answer["errors"])
        return dict(answer.get("data") or {})

    def download(self, artifact_version_id: str) -> httpx.Response:
        """The streamed response of the download route (the caller closes it)."""
        request = self._http.build_request(
            "GET", f"/artifact-versions/{artifact_version_id}/download"
        )
        return self._http.send(request, stream=True)

    def close(self) -> None:
        self._http.close()
