"""The GraphQL schema: types, inputs, connections, the root Query and Mutation, and the
limits and error handling every operation goes through."""

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from lineageql.readpath import PlannedExecutor
from lineageql.schema.access import AccessControl
from lineageql.schema.context import Context
from lineageql.schema.errors import add_code, is_client_error
from lineageql.schema.limits import limit_extensions
from lineageql.schema.mutation import Mutation
from lineageql.schema.query import Query
from lineageql.schema.subscription import Subscription
from lineageql.schema.sync import SyncChanges
from lineageql.schema.types import LineageStepNode, LineageVersionNode


class LineageSchema(strawberry.Schema):
    """The schema, giving every error its ``extensions.code`` and logging only unexpected
    ones: a client's mistakes (bad input, unknown ids, invalid documents) are answered, not
    logged as server faults."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            add_code(error)
        unexpected = [error for error in errors if not is_client_error(error)]
        super().process_errors(unexpected, execution_context)


schema = LineageSchema(
    query=Query,
    types=[LineageVersionNode, LineageStepNode],
    mutation=Mutation,
    subscription=Subscription,
    extensions=[*limit_extensions(), AccessControl, SyncChanges],
    execution_context_class=PlannedExecutor,
)

__all__ = ["Context", "schema"]
