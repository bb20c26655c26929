"""``GET /artifact-versions/{id}/download``: an artifact version's files over HTTP, for clients
that cannot reach the artifact store themselves. A file streams as it is; a folder streams as
a zip archive. Only files under the server's artifact store are ever served."""

from __future__ import annotations

import posixpath
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import IO

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from lineageql.artifacts import ArtifactStore
from lineageql.errors import LineageError, NotFoundError, UnauthenticatedError
from lineageql.graph import LineageRepository
from lineageql.records import ArtifactVersionRecord

SPOOL_BYTES = 32 << 20
CHUNK_BYTES = 1 << 20
HTTP_STATUS = {"NOT_FOUND": 404, "UNAUTHENTICATED": 401, "FORBIDDEN": 403, "STORE_UNAVAILABLE": 503}


class OutsideArtifactStoreError(LineageError):
    """The version's files are not under this server's artifact store."""

    code = "FORBIDDEN"


def error_response(error: LineageError) -> JSONResponse:
    """A lineageql error as JSON in the GraphQL error shape, with a fitting HTTP status."""
    return JSONResponse(
        {"errors": [{"message": error.message, "extensions": {"code": error.code}}]},
        status_code=HTTP_STATUS.get(error.code, 400),
    )


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
    if not await run_in_threadpool(store.exists, version.uri):
        raise NotFoundError(
            f"the files of {version.name}:{version.version} are gone from {version.uri!r}"
        )
    if await run_in_threadpool(store.is_dir, version.uri):
        archive = await run_in_threadpool(_zipped, store, version.uri)
        filename = f"{_safe(version.name)}-{_safe(version.version)}.zip"
        return StreamingResponse(
            _drain(archive), media_type="application/zip", headers=_attachment(filename)
        )
    filename = _safe(posixpath.basename(version.uri.rstrip("/"))) or "artifact"
    return StreamingResponse(
        iterate_in_threadpool(store.read_chunks(version.uri)),
        media_type="application/octet-stream",
        headers=_attachment(filename),
    )


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
