"""Open the store a setting names: a Neo4j URL, or a file path for the embedded store."""

from __future__ import annotations

from lineageql.graph.embedded_store import EmbeddedStore
from lineageql.graph.store import GraphStore
from lineageql.settings import Settings

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def is_neo4j_url(location: str) -> bool:
    """Whether ``location`` names a Neo4j server rather than an embedded store file."""
    return location.startswith(NEO4J_SCHEMES)


async def open_store(settings: Settings | None = None) -> GraphStore:
    """Connect to (or open) the configured store and bring its schema up to date."""
    settings = settings or Settings()
    store: GraphStore
    if is_neo4j_url(settings.store):
        # Imported here: the driver (and the pandas it loads) costs a third of a second at
        # start, which scripts and CLI commands on the embedded store need not pay.
        from lineageql.graph.neo4j_store import Neo4jStore

        neo4j_store = Neo4jStore(
            settings.store,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            settings.neo4j_database,
            retry_seconds=settings.neo4j_retry_seconds,
        )
        try:
            await neo4j_store.connect()
        except BaseException:
            await neo4j_store.close()
            raise
        store = neo4j_store
    else:
        store = EmbeddedStore(settings.store)
    await store.migrate()
    return store
