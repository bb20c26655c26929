"""How a client reaches the GraphQL API: in-process against a store, or over HTTP.

Both run the same documents through the same schema, so scripts, the SDK and the CLI behave
the same whether they talk to the embedded store directly or to `lineageql serve`.
"""

from __future__ import annotations

import asyncio
import threading
import time
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


class _NotTaken(Exception):
    """The server did not take a request; ``error`` is what its caller gets if it never does."""

    def __init__(self, error: LineageError) -> None:
        super().__init__(error.message)
        self.error = error


def _is_read(document: str) -> bool:
    """Whether the document is plainly a query (anything else counts as a write)."""
    return document.lstrip().startswith(("query", "{"))


def server_base_url(url: str) -> str:
    """The server's base URL, given it or its ``/graphql`` endpoint."""
    base = url.strip().rstrip("/")
    return base.removesuffix("/graphql").rstrip("/")


RETRY_SECONDS = 30.0
"""How long an HTTP client keeps retrying a request the server did not take: one it could
not deliver (the server is restarting) or one answered STORE_UNAVAILABLE."""


class HttpTransport:
    """A lineageql server at ``url``, with an optional bearer token.

    ``url`` is the server's base URL (``http://host:port``) or its GraphQL endpoint
    (``http://host:port/graphql``, as ``lineageql serve`` prints it); both work.

    A request the server cannot have applied is retried, backing off, for ``retry_seconds``:
    one that never reached it (connection refused while it restarts) and one it answered
    STORE_UNAVAILABLE. A query is also retried when the connection broke after sending; a
    mutation then is not (the server may have applied it), and the error says so.
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        timeout: float = 60.0,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.url = server_base_url(url)
        self.retry_seconds = retry_seconds
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def execute(self, document: str, variables: dict[str, Any] | None = None) -> Data:
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.05
        while True:
            try:
                answer = self._post(document, variables)
            except _NotTaken as refusal:
                if time.monotonic() + delay > deadline:
                    raise refusal.error from refusal
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            if answer.get("errors"):
                raise_first_error(answer["errors"])
            return dict(answer.get("data") or {})

    def _post(self, document: str, variables: dict[str, Any] | None) -> dict[str, Any]:
        """The server's JSON answer; ``_NotTaken`` when retrying it is safe."""
        try:
            response = self._http.post("/graphql", json={"query": document, "variables": variables})
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise _NotTaken(self._unreachable(error)) from error
        except httpx.TransportError as error:
            if _is_read(document):
                raise _NotTaken(self._unreachable(error)) from error
            raise StoreUnavailableError(
                f"the connection to {self.url} broke before the server answered ({error!r}); "
                "the server may or may not have applied the change: look before retrying"
            ) from error
        try:
            answer: dict[str, Any] = response.json()
        except ValueError as error:
            raise LineageError(
                f"the server at {self.url} answered {response.status_code} without JSON"
            ) from error
        errors = answer.get("errors") or []
        if errors and (errors[0].get("extensions") or {}).get("code") == "STORE_UNAVAILABLE":
            raise _NotTaken(StoreUnavailableError(errors[0].get("message", "store unavailable")))
        return answer

    def _unreachable(self, error: Exception) -> StoreUnavailableError:
        return StoreUnavailableError(f"cannot reach the lineageql server at {self.url}: {error}")

    def download(self, artifact_version_id: str) -> httpx.Response:
        """The streamed response of the download route (the caller closes it)."""
        request = self._http.build_request(
            "GET", f"/artifact-versions/{artifact_version_id}/download"
        )
        return self._http.send(request, stream=True)

    def close(self) -> None:
        self._http.close()
