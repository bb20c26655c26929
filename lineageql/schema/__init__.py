"""The GraphQL schema: types, inputs, connections, the root Query and Mutation, and the
limits and error handling every operation goes through."""

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.types import ExecutionContext

from lineageql.errors import LineageError
from lineageql.schema.access import AccessControl
from lineageql.schema.context import Context
from lineageql.schema.errors import ErrorCodes
from lineageql.schema.mutation import Mutation
from lineageql.schema.query import Query

MAX_QUERY_DEPTH = 12
MAX_ALIASES = 50
MAX_TOKENS = 5_000

class LineageSchema(strawberry.Schema):
    """The schema, logging only unexpected errors: a client's mistakes (bad input, unknown
    ids, invalid documents) are answered, not logged as server faults."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [
            error
            for error in errors
            if error.original_error is not None
            and not isinstance(error.original_error, LineageError)
        ]
        super().process_errors(unexpected, execution_context)


schema = LineageSchema(
    query=Query,
    mutation=Mutation,
    extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        AccessControl,
        ErrorCodes,
    ],
)

__all__ = ["Context", "schema"]
