"""Soak: CLIENTS readers mixing the API benchmark's queries (a), (b) and (c) against
`lineageql serve` for SECONDS, once quiet and once while two writers run: one recording new
runs through the mutations as fast as it can, one sending OpenLineage events (Airflow-shaped
DAG runs, built by openlineage-python) at EVENTS per second.

Prints, for each phase, the requests, errors and p50/p95/p99 per query and the writers'
rates; then the ratios the production-conditions targets name (reads/s with writers against
without, p99 with against without). Every loop is bounded in time and count, and only
127.0.0.1 is spoken to.

    python bench/soak_bench.py --store embedded --runs 1000 --seconds 60 --clients 16
    python bench/soak_bench.py --store neo4j-harness --runs 1000 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from openlineage.client.serde import Serde

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_bench import prepare
from bench.graph_bench import store_location
from bench.openlineage_bench import dag_events
from tests.servers import serving

START_RUN = """mutation($name: String!) {
  createPipelineRun(input: {pipelineName: "soak", name: $name, status: RUNNING}) { id }
}"""
START_STEP = """mutation($run: ID!) {
  startStep(input: {runId: $run, name: "work"}) { id }
}"""
FINISH_STEP = """mutation($step: ID!, $name: String!) {
  finishStep(input: {stepId: $step, outputs: [{name: "out",
    newVersion: {name: "soak_out", uri: $name}}]}) { id }
}"""
FINISH_RUN = "mutation($run: ID!) { finishPipelineRun(id: $run) { id } }"
MAX_REQUESTS_PER_CLIENT = 100_000


async def reader(
    client: httpx.AsyncClient,
    cases: list[tuple[str, str, dict[str, Any]]],
    deadline: float,
    samples: dict[str, list[float]],
    errors: dict[str, int],
    offset: int,
) -> None:
    ordered = itertools.cycle(cases[offset:] + cases[:offset])
    for count, (label, query, variables) in enumerate(ordered):
        if time.monotonic() >= deadline or count >= MAX_REQUESTS_PER_CLIENT:
            return
        start = time.perf_counter()
        try:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            ok = response.status_code == 200 and "errors" not in response.json()
        except httpx.HTTPError:
            ok = False
        samples[label].append((time.perf_counter() - start) * 1000)
        if not ok:
            errors[label] += 1


async def writer(client: httpx.AsyncClient, deadline: float, errors: dict[str, int]) -> int:
    """Record one-step runs until the deadline; returns how many completed."""
    recorded = 0
    for index in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            break
        name = f"soak-{time.time_ns()}-{index}"
        try:
            run = await _mutate(client, START_RUN, name=name)
            run_id = run["createPipelineRun"]["id"]
            step = await _mutate(client, START_STEP, run=run_id)
            await _mutate(client, FINISH_STEP, step=step["startStep"]["id"], name=f"mem://{name}")
            await _mutate(client, FINISH_RUN, run=run_id)
            recorded += 1
        except (httpx.HTTPError, KeyError, ValueError):
            errors["writer"] += 1
    return recorded


async def openlineage_writer(
    client: httpx.AsyncClient, deadline: float, per_second: float, errors: dict[str, int]
) -> int:
    """Send Airflow-shaped DAG runs' events at ``per_second`` until the deadline; returns how
    many were stored (201)."""
    stored = 0
    started = time.monotonic()
    events = (event for index in itertools.count() for event in dag_events(index))
    for sent in range(MAX_REQUESTS_PER_CLIENT):
        due = started + sent / per_second
        if due >= deadline:
            break
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        body = Serde.to_json(next(events))
        try:
            response = await client.post(
                "/api/v1/lineage", content=body, headers={"content-type": "application/json"}
            )
            if response.status_code == 201:
                stored += 1
            else:
                errors["openlineage"] += 1
        except httpx.HTTPError:
            errors["openlineage"] += 1
    return stored


async def _mutate(client: httpx.AsyncClient, document: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": document, "variables": variables})
    answer = response.json()
    if response.status_code != 200 or answer.get("errors"):
        raise ValueError(str(answer.get("errors")))
    return dict(answer["data"])


async def soak(
    url: str, cases: dict[str, Any], clients: int, seconds: float, events: float | None
) -> tuple[float, float]:
    """One phase: readers, and the writers unless ``events`` is None. Returns the reads per
    second and the p99 over all reads."""
    listed = [(label, query, variables) for label, (query, variables) in cases.items()]
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients + 4)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        readers = [
            reader(client, listed, deadline, samples, errors, i % len(listed))
            for i in range(clients)
        ]
        writers = (
            [writer(client, deadline, errors), openlineage_writer(client, deadline, events, errors)]
            if events is not None
            else []
        )
        results = await asyncio.gather(*writers, *readers)
    print(f"{'query':58} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for label, _, _ in listed:
        found = sorted(samples[label])
        p = [found[int(q * (len(found) - 1))] for q in (0.5, 0.95, 0.99)] if found else [0] * 3
        print(f"{label:58} {len(found):8} {errors[label]:6} {p[0]:8.1f} {p[1]:8.1f} {p[2]:8.1f}")
    all_samples = sorted(s for found in samples.values() for s in found)
    rate = len(all_samples) / seconds
    p99 = all_samples[int(0.99 * (len(all_samples) - 1))] if all_samples else 0.0
    if all_samples:
        print(
            f"all reads: {len(all_samples)} in {seconds:.0f} s ({rate:.0f}/s), "
            f"p50 {statistics.median(all_samples):.1f} ms, p99 {p99:.1f} ms"
        )
    if events is not None:
        runs, stored = results[0], results[1]
        print(
            f"writers: {runs} runs recorded ({runs / seconds:.1f}/s, {errors['writer']} errors); "
            f"{stored} OpenLineage events stored ({stored / seconds:.1f}/s, "
            f"{errors['openlineage']} errors)"
        )
    return rate, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="embedded")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--events", type=float, default=50, help="OpenLineage events per second")
    args = parser.parse_args()
    with ExitStack() as stack:
        location = store_location(args.store, stack)
        prepared = asyncio.run(prepare(location, args.runs, args.steps))
        url = stack.enter_context(serving(location))
        print(
            f"store: {args.store}   history: {args.runs} runs x {args.steps} steps   "
            f"{args.clients} readers for {args.seconds:.0f} s, quiet, then beside the writers"
        )
        print("-- quiet")
        quiet = asyncio.run(soak(url, prepared["cases"], args.clients, args.seconds, None))
        print("-- writing")
        busy = asyncio.run(soak(url, prepared["cases"], args.clients, args.seconds, args.events))
        print(
            f"with writers: {busy[0] / quiet[0]:.2f}x the reads/s, p99 {busy[1] / quiet[1]:.2f}x "
            f"({busy[1]:.0f} against {quiet[1]:.0f} ms)"
        )


if __name__ == "__main__":
    main()
