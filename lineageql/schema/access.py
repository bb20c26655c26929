"""Refuse operations the caller's credentials do not allow, before anything executes."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from lineageql.errors import UnauthenticatedError
from lineageql.schema.context import Context


class AccessControl(SchemaExtension):
    """Mutations need ``context.may_write``; every operation needs ``context.may_read``."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            writing = self.execution_context.operation_type is OperationType.MUTATION
            if not context.may_read or (writing and not context.may_write):
                what = "mutations" if writing else "queries"
                error = UnauthenticatedError(
                    f"{what} on this server need a token: send 'Authorization: Bearer <token>' "
                    "with the token the server was started with (LINEAGEQL_API_TOKEN)"
                )
                self.execution_context.result = ExecutionResult(
                    data=None, errors=[GraphQLError(error.message, original_error=error)]
                )
        yield
