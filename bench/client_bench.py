"""Python client benchmark: ZenML's inspection walk over RUNS runs x STEPS chained steps.

The walk: a pipeline's runs, each run's steps, each step's outputs with their metadata, as a
script written for ZenML's Client does it. Prints the wall time (p50 of repeats) and the
number of GraphQL requests the walk sent, in-process and over HTTP (`lineageql serve`).

    python bench/client_bench.py --runs 20 --steps 10
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lineageql.client import Client, close_connections
from lineageql.graph import LineageRepository, NodeKind, open_store
from lineageql.records import NewArtifactVersion, NewRun, NewStep
from lineageql.settings import Settings
from tests.servers import serving


async def record(location: str, runs: int, steps: int) -> None:
    """RUNS runs of STEPS chained steps, each output with three metadata entries."""
    store = await open_store(Settings(store=location))
    repo = LineageRepository(store)
    try:
        for r in range(runs):
            run = await repo.create_run(NewRun(pipeline_name="walk", name=f"walk-{r:04d}"))
            previous: dict[str, str] = {}
            for s in range(steps):
                step = await repo.create_step(NewStep(run_id=run.id, name=f"step_{s}"), previous)
                done = await repo.finish_step(
                    step.id,
                    outputs={
                        "out": NewArtifactVersion(
                            name=f"out_{s}",
                            uri=f"bench://{r}/{s}",
                            metadata={"rows": r * s, "score": 0.5, "kind": "table"},
                        )
                    },
                )
                previous = {"data": done.outputs["out"]}
            await repo.log_metadata(NodeKind.RUN, run.id, {"accuracy": 0.9})
    finally:
        await store.close()


def walk(client: Client) -> int:
    """The inspection walk; returns how many metadata values it read."""
    seen = 0
    for run in client.get_pipeline("walk").runs:
        for step in run.steps.values():
            for versions in step.outputs.values():
                for version in versions:
                    seen += len(version.run_metadata)
    return seen


def measure(make_client: Callable[[], Client], repeats: int) -> tuple[float, int, int]:
    """p50 ms of the walk, the requests one walk sends, and the values it read."""
    client = make_client()
    counted = {"requests": 0}
    execute = client.transport.execute

    def counting(document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        counted["requests"] += 1
        return execute(document, variables)

    client.transport.execute = counting  # type: ignore[method-assign]
    values = walk(client)
    requests = counted["requests"]
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        walk(client)
        samples.append((time.perf_counter() - start) * 1000)
    client.transport.execute = execute  # type: ignore[method-assign]
    return statistics.median(samples), requests, values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        location = str(Path(folder) / "client.lbdb")
        asyncio.run(record(location, args.runs, args.steps))
        settings = Settings(store=location, artifact_store=str(Path(folder) / "artifacts"))
        print(f"history: {args.runs} runs x {args.steps} steps, 3 metadata entries per output")
        print(f"{'transport':12} {'p50 ms':>8} {'requests':>9} {'values':>7}")
        p50, requests, values = measure(lambda: Client(settings=settings), args.repeats)
        print(f"{'in-process':12} {p50:8.1f} {requests:9} {values:7}")
        close_connections()
        with serving(location) as url:
            p50, requests, values = measure(lambda: Client(url=url), args.repeats)
            print(f"{'HTTP':12} {p50:8.1f} {requests:9} {values:7}")
        close_connections()


if __name__ == "__main__":
    main()
