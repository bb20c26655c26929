"""Before each operation reads, the store learns what other processes wrote since its last
look (``GraphStore.sync_changes``), so the answers the read caches keep are current."""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension


class SyncChanges(SchemaExtension):
    """Runs ``sync_changes`` on the context's store before each operation executes."""

    async def on_execute(self) -> AsyncIterator[None]:
        repo = getattr(self.execution_context.context, "repo", None)
        if repo is not None:
            await repo.store.sync_changes()
        yield
