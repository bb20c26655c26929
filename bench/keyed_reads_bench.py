"""Keyed reads as the history grows: the reads an OpenLineage batch and a page of the explorer
make (a few runs' steps, steps' outputs, versions' producers, runs' metadata, one lineage
hop), timed on a history of each size in ``--sizes`` runs x ``--steps`` steps x 2 outputs.

Each read goes through a new repository, so it reaches the store (no read cache); the store
itself is warm. A keyed read should cost the same on every size: what grows with the history
is a scan.

    python bench/keyed_reads_bench.py --store embedded --sizes 1000,10000
    python bench/keyed_reads_bench.py --store neo4j-harness --sizes 1000,10000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.graph_bench import ingest_bulk, store_location
from lineageql.graph import GraphStore, LineageRepository, NodeKind, open_store
from lineageql.settings import Settings

KEYS = 8
"""Keys per read: what a batch of OpenLineage events or a page of the explorer asks for."""

Read = Callable[[LineageRepository, list[str], list[str], list[str]], Awaitable[object]]
READS: dict[str, Read] = {
    "steps of 8 runs": lambda repo, runs, steps, versions: repo.steps_of_runs(runs),
    "outputs of 8 steps": lambda repo, runs, steps, versions: repo.outputs_of_steps(steps),
    "producers of 8 versions": lambda repo, runs, steps, versions: repo.producers_of(versions),
    "metadata of 8 runs": lambda repo, runs, steps, versions: repo.metadata_of(NodeKind.RUN, runs),
    "8 runs by id": lambda repo, runs, steps, versions: repo.get_runs(runs),
    "one upstream hop from 8": lambda repo, runs, steps, versions: repo.upstream_version_ids(
        versions, 1
    ),
}


async def p50(
    store: GraphStore, repeats: int, read: Read, pools: list[list[str]], rng: random.Random
) -> float:
    """The median time of ``read`` over KEYS random run, step and version ids of ``pools``."""
    samples = []
    for _ in range(repeats):
        runs, steps, versions = (rng.sample(pool, KEYS) for pool in pools)
        repo = LineageRepository(store)
        start = time.perf_counter()
        await read(repo, runs, steps, versions)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def main(location: str, sizes: list[int], steps: int, repeats: int) -> None:
    store = await open_store(Settings(store=location))
    repo = LineageRepository(store)
    rng = random.Random(7)
    figures: dict[str, list[float]] = {label: [] for label in READS}
    run_ids: list[str] = []
    try:
        for size in sizes:
            start = time.perf_counter()
            built = await ingest_bulk(repo, size - len(run_ids), steps, start=len(run_ids))
            run_ids += built["run_ids"]
            print(f"history: {size} runs ({time.perf_counter() - start:.0f} s to add)")
            sample = rng.sample(run_ids, 50)
            steps_of = await repo.steps_of_runs(sample)
            step_ids = [s.id for group in steps_of for s in group]
            outputs = await repo.outputs_of_steps(step_ids)
            version_ids = [link.artifact_version_id for group in outputs for link in group]
            pools = [sample, step_ids, version_ids]
            for label, read in READS.items():
                figures[label].append(await p50(store, repeats, read, pools, rng))
    finally:
        await store.close()
    print(f"store: {location}   p50 ms of each read, by history size (runs x {steps} steps)")
    print(f"{'read':28}" + "".join(f"{size:>12,}" for size in sizes))
    for label, values in figures.items():
        print(f"{label:28}" + "".join(f"{value:12.2f}" for value in values))


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="embedded")
    parser.add_argument("--sizes", default="1000,10000", help="history sizes in runs")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    with ExitStack() as stack:
        asyncio.run(main(store_location(args.store, stack), sizes, args.steps, args.repeats))


if __name__ == "__main__":
    cli()
