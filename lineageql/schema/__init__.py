"""The GraphQL schema: types, inputs, connections and the root Query."""

import strawberry

from lineageql.schema.context import Context
from lineageql.schema.errors import ErrorCodes
from lineageql.schema.query import Query

schema = strawberry.Schema(query=Query, extensions=[ErrorCodes])

__all__ = ["Context", "schema"]
