"""The GraphQL schema: types, inputs, connections and the root Query."""

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from lineageql.schema.access import AccessControl
from lineageql.schema.context import Context
from lineageql.schema.errors import ErrorCodes
from lineageql.schema.mutation import Mutation
from lineageql.schema.query import Query

MAX_QUERY_DEPTH = 12
MAX_ALIASES = 50
MAX_TOKENS = 5_000

schema = strawberry.Schema(
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
