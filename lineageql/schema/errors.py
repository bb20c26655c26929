"""Every error reaches the client with ``extensions.code``: a lineageql error's own code,
GRAPHQL_PARSE_FAILED for a document that does not parse (or has too many tokens),
GRAPHQL_VALIDATION_FAILED for one the schema rejects (unknown field, too deep, too many
aliases), and INTERNAL for anything unexpected."""

from __future__ import annotations

from graphql import GraphQLError

from lineageql.errors import AmbiguousError, LineageError


def add_code(error: GraphQLError) -> None:
    """Set ``extensions.code`` (and candidates, for an ambiguous prefix) on ``error``."""
    original = error.original_error
    extensions = dict(error.extensions or {})
    if original is None:
        parse_failed = error.message.startswith("Syntax Error")
        extensions["code"] = "GRAPHQL_PARSE_FAILED" if parse_failed else "GRAPHQL_VALIDATION_FAILED"
    elif isinstance(original, LineageError):
        extensions["code"] = original.code
        if isinstance(original, AmbiguousError):
            extensions["candidates"] = original.candidates
    else:
        extensions["code"] = LineageError.code
    error.extensions = extensions


def is_client_error(error: GraphQLError) -> bool:
    """Whether the client caused ``error`` (a bad document or request), not the server."""
    return error.original_error is None or isinstance(error.original_error, LineageError)
