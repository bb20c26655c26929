"""Errors of the server's plain HTTP routes, in the shape GraphQL errors have."""

from __future__ import annotations

from starlette.responses import JSONResponse

from lineageql.errors import LineageError

HTTP_STATUS = {
    "NOT_FOUND": 404,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "CONFLICT": 409,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "STORE_UNAVAILABLE": 503,
    "ARTIFACT_STORE_UNAVAILABLE": 503,
    "ARTIFACT_STORE_FAILED": 502,
}
"""HTTP statuses by error code; any other code is the client's mistake (400)."""


def error_response(error: LineageError) -> JSONResponse:
    """A lineageql error as JSON in the GraphQL error shape, with a fitting HTTP status."""
    return JSONResponse(
        {"errors": [{"message": error.message, "extensions": {"code": error.code}}]},
        status_code=HTTP_STATUS.get(error.code, 400),
    )
