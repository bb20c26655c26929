"""Each query reads a record from the store at most once (``lineageql.graph.read_scope``)."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from lineageql.graph import read_scope


class ReadScope(SchemaExtension):
    """Runs each query inside a read scope. Mutations run outside one: they read what they
    have just written."""

    def on_execute(self) -> Iterator[None]:
        if self.execution_context.operation_type is OperationType.QUERY:
            with read_scope():
                yield
        else:
            yield
