"""Every error reaches the client with ``extensions.code``: a lineageql error's own code,
GRAPHQL_PARSE_FAILED for a document that does not parse (or has too many tokens),
GRAPHQL_VALIDATION_FAILED for one the schema rejects (unknown field, too deep, too many
aliases), and INTERNAL for anything unexpected."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from lineageql.errors import AmbiguousError, LineageError


class ErrorCodes(SchemaExtension):
    """Add ``extensions.code`` (and candidates, for an ambiguous prefix) to known errors."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [_with_code(error) for error in result.errors]


def _with_code(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        code = "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else None
        error.extensions = {**(error.extensions or {}), "code": code or "GRAPHQL_VALIDATION_FAILED"}
        return error
    if not isinstance(original, LineageError):
        error.extensions = {**(error.extensions or {}), "code": LineageError.code}
        return error
    extensions = {**(error.extensions or {}), "code": original.code}
    if isinstance(original, AmbiguousError):
        extensions["candidates"] = original.candidates
    return GraphQLError(
        original.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original,
        extensions=extensions,
    )
