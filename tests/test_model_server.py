"""The model registry behind real servers: stage changes record which token made them, and
clients promoting at once (through two servers on one Neo4j) leave one production version
with every change in the history."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import STORE_KINDS, serving, store_for

TOKEN = "registry-s3cret"


def post(url: str, query: str, token: str | None = TOKEN, **variables: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=60
    ).json()
    return dict(answer)


def new_version(url: str) -> str:
    answer = post(url, 'mutation { createModelVersion(input: {model: "ranker"}) { id } }')
    return str(answer["data"]["createModelVersion"]["id"])


PROMOTE = """mutation($id: ID!) {
  setModelVersionStage(id: $id, stage: PRODUCTION, force: true) { stage }
}"""


@pytest.mark.parametrize("kind", STORE_KINDS)
def test_promotions_from_two_servers_leave_one_production_version(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    store = store_for(kind, request, tmp_path, "registry")
    env = {"LINEAGEQL_API_TOKEN": TOKEN, "LINEAGEQL_ARTIFACT_STORE": str(tmp_path / "art")}
    with ExitStack() as stack:
        # The embedded file admits one server; Neo4j takes two, each its own driver.
        urls = [
            stack.enter_context(serving(store, **env)) for _ in range(2 if kind == "neo4j" else 1)
        ]
        refused = post(
            urls[0], 'mutation { createModelVersion(input: {model: "ranker"}) { id } }', token=None
        )
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        versions = [new_version(urls[0]) for _ in range(4)]
        jobs = [(urls[i % len(urls)], versions[i % len(versions)]) for i in range(24)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda job: post(job[0], PROMOTE, id=job[1]), jobs))
        assert all("errors" not in a for a in answers), answers
        listed = post(
            urls[-1],
            """{ model(name: "ranker") { versions { stage
                 stageHistory { fromStage toStage by } } } }""",
        )["data"]["model"]["versions"]
    assert [v["stage"] for v in listed].count("PRODUCTION") == 1
    changes = [c for v in listed for c in v["stageHistory"]]
    into = sum(c["toStage"] == "PRODUCTION" for c in changes)
    out = sum(c["fromStage"] == "PRODUCTION" for c in changes)
    assert into - out == 1 and into >= len(versions)
    [fingerprint] = {c["by"] for c in changes}
    assert fingerprint.startswith("token:") and TOKEN not in fingerprint
