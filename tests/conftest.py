"""Fixtures shared by all tests: the two stores, each a real database."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from lineageql.graph import GraphStore, LineageRepository
from lineageql.graph.embedded_store import EmbeddedStore
from lineageql.graph.neo4j_store import Neo4jStore
from lineageql.graph.store import Transaction
from tests.gcs_emulator import BUCKET, EmulatorUnavailable, running_gcs_emulator, use_emulator
from tests.neo4j_launcher import (
    HARNESS_PASSWORD,
    HARNESS_USER,
    Neo4jUnavailable,
    running_neo4j,
)

STORE_KINDS = ["embedded", "neo4j"]

# The emulator speaks JSON over HTTP; gcsfs's experimental gRPC bucket probing must be off
# before gcsfs is first imported.
os.environ["GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"] = "false"


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
            os.environ["NEO4J_USER"] = HARNESS_USER
            os.environ["NEO4J_PASSWORD"] = HARNESS_PASSWORD
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


@pytest.fixture(scope="session")
def gcs_emulator() -> Iterator[str]:
    """The GCS emulator on 127.0.0.1 (its URL); under CI one that cannot start fails the run."""
    try:
        with running_gcs_emulator() as url:
            use_emulator(url)
            yield url
    except EmulatorUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"the GCS emulator is required under CI: {error}")
        pytest.skip(f"GCS tests skipped: {error}")


def _point_sdk_at(
    request: pytest.FixtureRequest, store_dir: Path, artifacts: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set LINEAGEQL_* as a user would, for an empty store of the requested kind."""
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
        monkeypatch.setenv("LINEAGEQL_STORE", str(store_dir / "sdk.lbdb"))
    monkeypatch.setenv("LINEAGEQL_ARTIFACT_STORE", artifacts)
    monkeypatch.delenv("LINEAGEQL_URL", raising=False)
    close_connections()


@pytest.fixture(params=STORE_KINDS)
def sdk_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The SDK and Client pointed at an empty store of each kind and a fresh local artifact
    store; yields the artifact store folder."""
    from lineageql.client import close_connections

    artifacts = tmp_path / "artifacts"
    _point_sdk_at(request, tmp_path, str(artifacts), monkeypatch)
    yield artifacts
    close_connections()


@pytest.fixture(params=STORE_KINDS)
def gcs_sdk_env(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    gcs_emulator: str,
) -> Iterator[str]:
    """Like sdk_env, with the artifact store in a fresh prefix of the emulated bucket."""
    from lineageql.client import close_connections

    root = f"gs://{BUCKET}/{uuid.uuid4().hex}"
    _point_sdk_at(request, tmp_path, root, monkeypatch)
    yield root
    close_connections()
