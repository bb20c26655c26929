"""Errors every layer raises and every interface maps: GraphQL codes, HTTP statuses, exit codes.

Each error carries a stable ``code`` (the GraphQL ``extensions.code``) and a message that says
what was wrong and, where it helps, what to do instead.
"""

from __future__ import annotations


class LineageError(Exception):
    """Base class of all lineageql errors."""

    code = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInputError(LineageError):
    """A value a caller gave is invalid; ``field`` names which one."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class NotFoundError(LineageError):
    """Nothing is stored under the key a caller asked for."""

    code = "NOT_FOUND"


class AmbiguousError(LineageError):
    """A name prefix matches more than one object; ``candidates`` lists them."""

    code = "AMBIGUOUS"

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(message)
        self.candidates = candidates


class ConflictError(LineageError):
    """A write would break a uniqueness rule (a reused name or custom version)."""

    code = "CONFLICT"


class StoreUnavailableError(LineageError):
    """The graph store cannot be reached or opened."""

    code = "STORE_UNAVAILABLE"


class UnauthenticatedError(LineageError):
    """The request lacks the bearer token this server asks for."""

    code = "UNAUTHENTICATED"


class UnsupportedMediaTypeError(LineageError):
    """A request body comes in a content type the route does not take."""

    code = "UNSUPPORTED_MEDIA_TYPE"


class ResponseTooLargeError(LineageError):
    """An answer would exceed a size limit; the message names the limit and what to do."""

    code = "RESPONSE_TOO_LARGE"


_BY_CODE: dict[str, type[LineageError]] = {
    error.code: error
    for error in (
        BadInputError,
        NotFoundError,
        ConflictError,
        StoreUnavailableError,
        UnauthenticatedError,
        ResponseTooLargeError,
    )
}


def error_for_code(code: str | None, message: str) -> LineageError:
    """The exception a client raises for an API error with ``extensions.code``."""
    if code == AmbiguousError.code:
        return AmbiguousError(message, [])
    return _BY_CODE.get(code or "", LineageError)(message)
