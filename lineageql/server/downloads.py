"""``GET /artifact-versions/{id}/download``: an artifact version's files over HTTP, for clients
that cannot reach the artifact store themselves. A file streams as it is; a folder streams as
a zip archive. Only files under the server's artifact store are ever served.

Failures of the artifact store before the first byte answer a coded JSON error (404 for a
missing file, 503 when the store cannot be reached, 502 when it fails otherwise). A file's
response carries its Content-Length, and a failure mid-stream aborts the connection (and is
logged), so a client sees an incomplete download, never a short file that looks whole."""

from __future__ import annotations

import logging
import posixpath
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import IO, Any, TypeVar

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from lineageql.artifacts import ArtifactStore
from lineageql.errors import BadInputError, LineageError, NotFoundError, UnauthenticatedError
from lineageql.graph import LineageRepository
from lineageql.records import ArtifactVersionRecord
from lineageql.server.responses import error_response

T = TypeVar("T")

SPOOL_BYTES = 32 << 20
CHUNK_BYTES = 1 << 20

logger = logging.getLogger(__name__)


class OutsideArtifactStoreError(LineageError):
    """The version's files are not under this server's artifact store."""

    code = "FORBIDDEN"


class ArtifactStoreUnavailableError(LineageError):
    """The artifact store could not be reached (connection refused, timed out)."""

    code = "ARTIFACT_STORE_UNAVAILABLE"


class ArtifactStoreFailedError(LineageError):
    """The artifact store answered with an error (permission, a broken file, a GCS error)."""

    code = "ARTIFACT_STORE_FAILED"


async def _from_store(what: str, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a worker thread, its failures as coded lineageql errors."""
    try:
        return await run_in_threadpool(function, *args)
    except LineageError:
        raise
    except FileNotFoundError as error:
        raise NotFoundError(f"{what} is gone from the artifact store: {error}") from error
    except (ConnectionError, TimeoutError) as error:
        raise ArtifactStoreUnavailableError(
            f"the artifact store could not be reached for {what}: {error}"
        ) from error
    except Exception as error:
        unreachable = "connect" in type(error).__name__.lower()
        kind = ArtifactStoreUnavailableError if unreachable else ArtifactStoreFailedError
        raise kind(
            f"the artifact store failed reading {what}: {type(error).__name__}: {error}"
        ) from error


def download_endpoint(
    repo: Callable[[], LineageRepository],
    store: ArtifactStore,
    may_read: Callable[[Request], bool],
) -> Callable[[Request], Awaitable[Response]]:
    """The route handler over the server's repository, artifact store and token check."""

    async def download(request: Request) -> Response:
        try:
            if not may_read(request):
                raise UnauthenticatedError(
                    "downloads on this server need 'Authorization: Bearer <token>'"
                )
            version = await _version(repo(), request.path_params["id"])
            return await _files(store, version)
        except LineageError as error:
            return error_response(error)

    return download


VISUALIZATION_TYPES = {"html": "text/html", "image": "image/png", "markdown": "text/plain"}
MAX_VISUALIZATION_BYTES = 20 << 20


def visualization_endpoint(
    repo: Callable[[], LineageRepository],
    store: ArtifactStore,
    may_read: Callable[[Request], bool],
) -> Callable[[Request], Awaitable[Response]]:
    """``GET /artifact-versions/{id}/visualizations/{index}``: one of a version's
    visualizations, as user content: served sandboxed (no scripts, an origin of its own), so
    HTML someone stored cannot act on this site."""

    async def visualization(request: Request) -> Response:
        try:
            if not may_read(request):
                raise UnauthenticatedError(
                    "visualizations on this server need 'Authorization: Bearer <token>'"
                )
            version = await _version(repo(), request.path_params["id"])
            index = request.path_params["index"]
            if not 0 <= index < len(version.visualizations):
                raise NotFoundError(
                    f"{version.name}:{version.version} has no visualization {index}"
                )
            shown = version.visualizations[index]
            body = await _visualization_bytes(store, version, shown.uri)
        except LineageError as error:
            return error_response(error)
        return Response(
            body,
            media_type=VISUALIZATION_TYPES.get(shown.type, "application/octet-stream"),
            headers={"content-security-policy": "sandbox", "x-content-type-options": "nosniff"},
        )

    return visualization


async def _visualization_bytes(
    store: ArtifactStore, version: ArtifactVersionRecord, uri: str
) -> bytes:
    what = f"a visualization of {version.name}:{version.version} ({uri!r})"
    if not store.contains(uri):
        raise OutsideArtifactStoreError(f"{what} is outside this server's artifact store")
    if not await _from_store(what, store.exists, uri):
        raise NotFoundError(f"{what} is gone from the artifact store")
    if await _from_store(what, store.size, uri) > MAX_VISUALIZATION_BYTES:
        raise BadInputError(f"{what} is over {MAX_VISUALIZATION_BYTES >> 20} MB; download it")
    return bytes(await _from_store(what, _read_all, store, uri))


def _read_all(store: ArtifactStore, uri: str) -> bytes:
    with store.open(uri) as source:
        return bytes(source.read())


async def _version(repo: LineageRepository, version_id: str) -> ArtifactVersionRecord:
    [found] = await repo.get_artifact_versions([version_id])
    if found is None:
        raise NotFoundError(f"no artifact version with id {version_id!r}")
    return found


async def _files(store: ArtifactStore, version: ArtifactVersionRecord) -> Response:
    if not store.contains(version.uri):
        raise OutsideArtifactStoreError(
            f"the files of {version.name}:{version.version} are at {version.uri!r}, outside "
            f"this server's artifact store {store.root!r}; read them from there directly"
        )
    what = f"the files of {version.name}:{version.version} ({version.uri!r})"
    if not await _from_store(what, store.exists, version.uri):
        raise NotFoundError(f"{what} are gone from the artifact store")
    if await _from_store(what, store.is_dir, version.uri):
        archive = await _from_store(what, _zipped, store, version.uri)
        filename = f"{_safe(version.name)}-{_safe(version.version)}.zip"
        return StreamingResponse(
            _drain(archive), media_type="application/zip", headers=_attachment(filename)
        )
    size = await _from_store(what, store.size, version.uri)
    chunks = await _from_store(what, store.read_chunks, version.uri)
    first = await _from_store(what, next, chunks, b"")
    filename = _safe(posixpath.basename(version.uri.rstrip("/"))) or "artifact"
    return StreamingResponse(
        _rest(what, first, chunks),
        media_type="application/octet-stream",
        headers={**_attachment(filename), "content-length": str(size)},
    )


async def _rest(what: str, first: bytes, chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The first chunk, read before answering, then the others; a failure on the way is
    logged and aborts the response (the connection closes short of Content-Length)."""
    yield first
    try:
        async for chunk in iterate_in_threadpool(chunks):
            yield chunk
    except Exception:
        logger.exception("streaming %s failed mid-way; the download was aborted", what)
        raise


def _zipped(store: ArtifactStore, uri: str) -> IO[bytes]:
    archive = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (streamed)
    store.zip_folder(uri, archive)
    archive.seek(0)
    return archive


async def _drain(archive: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := await run_in_threadpool(archive.read, CHUNK_BYTES):
            yield chunk
    finally:
        archive.close()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def _attachment(filename: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{filename}"'}
