"""Model registry benchmark: a model's versions walked on into lineage, and promotions racing.

Records the graph benchmark's history (RUNS runs x STEPS chained steps, whole runs at once),
then VERSIONS versions of the model ``bench_model``, each holding one run's last output as
its model and its first output as its data, made by that run. Then:

- the walk ``model(name) { versions(first: N) { stage artifacts { artifactVersion {
  upstream(depth: 3) { name } } } } }`` through the schema in-process: p50/p95 warm (caches
  kept between requests) and cold (a new repository each time), and the store round trips
  for N = 5 and N = 20;
- PROMOTIONS forced promotions to production of random versions from CLIENTS clients at once
  (each its own repository, over its own connection on Neo4j), then a count of the
  versions in production and a check that every change is in the stage histories.

    python bench/model_bench.py --store embedded --runs 1000
    python bench/model_bench.py --store neo4j-harness --runs 1000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.graph_bench import ingest_bulk, store_location
from lineageql.graph import LineageRepository, open_store
from lineageql.graph.connect import is_neo4j_url
from lineageql.model_records import (
    ModelArtifactKind,
    ModelArtifactLink,
    ModelStage,
    NewModelVersion,
    model_id_for,
)
from lineageql.settings import Settings
from tests.graphql_client import execute

WALK = """query($first: Int!) {
  model(name: "bench_model") { versions(first: $first) { stage
    artifacts { artifactVersion { upstream(depth: 3) { name } } } } }
}"""


async def record_versions(repo: LineageRepository, run_ids: list[str], versions: int) -> list[str]:
    """``versions`` versions of bench_model, spread over the runs; their ids."""
    ids = []
    for index in range(versions):
        run_id = run_ids[index * len(run_ids) // versions]
        [steps] = await repo.steps_of_runs([run_id])
        first, last = await repo.outputs_of_steps([steps[0].id, steps[-1].id])
        version = await repo.models.create_model_version(
            NewModelVersion(model_name="bench_model", metadata={"index": index})
        )
        links = [
            ModelArtifactLink(
                artifact_version_id=last[0].artifact_version_id, kind=ModelArtifactKind.MODEL
            ),
            ModelArtifactLink(
                artifact_version_id=first[0].artifact_version_id, kind=ModelArtifactKind.DATA
            ),
        ]
        await repo.models.link_model_artifacts(version.id, links)
        await repo.models.link_model_runs(version.id, [run_id])
        ids.append(version.id)
    return ids


async def walk_timings(location: str, repeats: int) -> None:
    store = await open_store(Settings(store=location))
    try:
        warm_repo = LineageRepository(store)
        for first in (5, 20):
            before = store.round_trips
            answer = await execute(LineageRepository(store), WALK, first=first)
            assert "errors" not in answer, answer
            trips = store.round_trips - before
            for label, fresh in (("warm", False), ("cold", True)):
                samples = []
                for _ in range(repeats):
                    repo = LineageRepository(store) if fresh else warm_repo
                    start = time.perf_counter()
                    answer = await execute(repo, WALK, first=first)
                    samples.append((time.perf_counter() - start) * 1000)
                    assert "errors" not in answer, answer
                samples.sort()
                p50, p95 = statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]
                print(
                    f"  versions(first: {first:2d}) {label}: p50 {p50:6.1f} ms"
                    f"  p95 {p95:6.1f} ms  round trips {trips}"
                )
    finally:
        await store.close()


async def race(location: str, version_ids: list[str], clients: int, promotions: int) -> None:
    # Each client its own connection to Neo4j; the embedded file admits one process, whose
    # clients share its store.
    shared = not is_neo4j_url(location)
    stores = [await open_store(Settings(store=location)) for _ in range(1 if shared else clients)]
    repos = [LineageRepository(stores[i % len(stores)]) for i in range(clients)]
    picks = random.Random(7)
    plan = [[picks.choice(version_ids) for _ in range(promotions // clients)] for _ in repos]

    async def client(repo: LineageRepository, targets: list[str]) -> int:
        for version_id in targets:
            await repo.models.set_stage(version_id, ModelStage.PRODUCTION, force=True)
        return len(targets)

    try:
        start = time.perf_counter()
        done = await asyncio.gather(*(client(r, t) for r, t in zip(repos, plan, strict=True)))
        elapsed = time.perf_counter() - start
        reader = LineageRepository(stores[0])
        [versions] = await reader.models.versions_of_models([model_id_for("bench_model")])
        in_production = [v for v in versions if v.stage is ModelStage.PRODUCTION]
        histories = await reader.models.stage_histories([v.id for v in versions])
        into = sum(c.to_stage is ModelStage.PRODUCTION for h in histories for c in h)
        out = sum(c.from_stage is ModelStage.PRODUCTION for h in histories for c in h)
        print(
            f"  {sum(done)} forced promotions from {clients} clients in {elapsed:.1f} s: "
            f"{len(in_production)} version(s) in production; history: {into} changes into "
            f"production (a promotion of the version already there changes nothing), "
            f"{out} out of it (into - out = {into - out})"
        )
    finally:
        for store in stores:
            await store.close()


async def main(
    location: str, runs: int, steps: int, versions: int, repeats: int, clients: int, promotions: int
) -> None:
    store = await open_store(Settings(store=location))
    repo = LineageRepository(store)
    try:
        start = time.perf_counter()
        written = await ingest_bulk(repo, runs, steps)
        print(f"recorded {runs} runs x {steps} steps in {time.perf_counter() - start:.0f} s")
        version_ids = await record_versions(repo, written["run_ids"], versions)
    finally:
        await store.close()
    print(f"model walk over {versions} versions ({runs} runs x {steps} steps), {repeats} each:")
    await walk_timings(location, repeats)
    print("promotions:")
    await race(location, version_ids, clients, promotions)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="embedded")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--versions", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--promotions", type=int, default=200)
    args = parser.parse_args()
    with ExitStack() as stack:
        location = store_location(args.store, stack)
        asyncio.run(
            main(
                location,
                args.runs,
                args.steps,
                args.versions,
                args.repeats,
                args.clients,
                args.promotions,
            )
        )


if __name__ == "__main__":
    cli()
