"""Fixtures shared by all tests: the two stores, each a real database."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from lineageql.graph import GraphStore, LineageRepository
from lineageql.graph.embedded_store import EmbeddedStore
from lineageql.graph.neo4j_store import Neo4jStore
from lineageql.graph.store import Transaction
from tests.neo4j_launcher import Neo4jUnavailable, running_neo4j

STORE_KINDS = ["embedded", "neo4j"]


@pytest.fixture(scope="session")
def neo4j_url() -> Iterator[str]:
    """A real Neo4j: the one NEO4J_URI names, else one started from Maven Central's harness.

    Under CI a Neo4j that cannot start fails the run; elsewhere its tests skip and say how
    to enable them.
    """
    external = os.environ.get("NEO4J_URI")
    if external:
        yield external
        return
    try:
        with running_neo4j() as url:
            yield url
    except Neo4jUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"Neo4j is required under CI: {error}")
        pytest.skip(f"Neo4j tests skipped: {error}")


async def open_neo4j(url: str) -> Neo4jStore:
    store = Neo4jStore(
        url, os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "neo4j")
    )
    await store.connect()
    await store.migrate()
    await store.write(_wipe)
    return store


async def _wipe(tx: Transaction) -> None:
    """Empty the shared test database between tests (the only Cypher outside the package)."""
    await tx.run("MATCH (n) DETACH DELETE n")


@pytest.fixture(params=STORE_KINDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[GraphStore]:
    """An empty, migrated store of each kind."""
    opened: GraphStore
    if request.param == "neo4j":
        opened = await open_neo4j(request.getfixturevalue("neo4j_url"))
    else:
        opened = EmbeddedStore(tmp_path / "lineage.lbdb")
        await opened.migrate()
    yield opened
    await opened.close()


@pytest.fixture
def repo(store: GraphStore) -> LineageRepository:
    return LineageRepository(store)


@pytest.fixture(params=STORE_KINDS)
def sdk_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The SDK and Client pointed (through LINEAGEQL_* variables, as a user would) at an
    empty store of each kind and a fresh local artifact store; yields the artifact store."""
    from lineageql.client import close_connections

    if request.param == "neo4j":
        url = request.getfixturevalue("neo4j_url")

        async def wipe() -> None:
            await (await open_neo4j(url)).close()

        asyncio.run(wipe())
        monkeypatch.setenv("LINEAGEQL_STORE", url)
        monkeypatch.setenv("LINEAGEQL_NEO4J_USER", os.environ.get("NEO4J_USER", "neo4j"))
        monkeypatch.setenv("LINEAGEQL_NEO4J_PASSWORD", os.environ.get("NEO4J_PASSWORD", "neo4j"))
    else:
        monkeypatch.setenv("LINEAGEQL_STORE", str(tmp_path / "sdk.lbdb"))
    artifacts = tmp_path / "artifacts"
    monkeypatch.setenv("LINEAGEQL_ARTIFACT_STORE", str(artifacts))
    monkeypatch.delenv("LINEAGEQL_URL", raising=False)
    close_connections()
    yield artifacts
    close_connections()
