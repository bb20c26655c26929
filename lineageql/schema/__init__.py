"""The GraphQL schema: types, inputs, connections and the root Query."""

import strawberry
from strawberry.extensions import QueryDepthLimiter

from lineageql.schema.context import Context
from lineageql.schema.errors import ErrorCodes
from lineageql.schema.query import Query

MAX_QUERY_DEPTH = 12

schema = strawberry.Schema(
    query=Query,
    extensions=[lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH), ErrorCodes],
)

__all__ = ["Context", "schema"]
