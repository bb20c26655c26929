"""Each operation first learns what other processes wrote (``GraphStore.sync_changes``, so
kept answers are current), and each query reads a record from the store at most once
(``lineageql.graph.read_scope``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from lineageql.graph import read_scope


class ReadScope(SchemaExtension):
    """Runs each query inside a read scope. Mutations run outside one: they read what they
    have just written."""

    async def on_execute(self) -> AsyncIterator[None]:
        repo = getattr(self.execution_context.context, "repo", None)
        if repo is not None:
            await repo.store.sync_changes()
        if self.execution_context.operation_type is OperationType.QUERY:
            with read_scope():
                yield
        else:
            yield
