"""Cold-start benchmark: the first walk in a fresh process against the same walk warm.

Over RUNS runs x STEPS chained steps on the embedded store, each measured in a new process:
- a script's ``Client()``: import, open, first inspection walk, then the warm p50;
- the first request to a new ``lineageql serve``: the GraphQL walk, then the warm p50;
- the same for lineage of the last run's last output (depth STEPS - 1);
- a CLI command (``lineageql lineage out_N --depth N``), the whole process, beside
  ``lineageql --help`` (the floor: interpreter and imports).

    python bench/cold_bench.py --runs 20 --steps 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.client_bench import record  # noqa: E402
from tests.servers import serving  # noqa: E402

SCRIPT = """
import json, statistics, sys, time
start = time.perf_counter()
from lineageql.client import Client
from lineageql.settings import Settings
sys.path.insert(0, {root!r})
from bench.client_bench import walk
imported = time.perf_counter()
client = Client(settings=Settings(store={store!r}, artifact_store={artifacts!r}))
walk(client)
first = time.perf_counter()
samples = []
for _ in range({repeats}):
    t = time.perf_counter()
    walk(client)
    samples.append(time.perf_counter() - t)
print(json.dumps({{"import": imported - start, "first": first - imported,
                  "warm": statistics.median(samples)}}))
"""

WALK = """{ pipeline(name: "walk") { runs(first: 50) { edges { node { name status
  steps { name status outputs { name artifactVersion { name version
    runMetadata { key value } upstream(depth: 2) { name } } } } } } } } }"""
LAST_OUTPUT = """{ pipeline(name: "walk") { lastRun { steps { outputs {
  artifactVersion { id } } } } } }"""
LINEAGE = """query($id: ID!, $depth: Int!) { lineage(artifactVersionId: $id, depth: $depth) {
  nodes { id name depth } edges { source target } } }"""


def client_script(store: str, artifacts: str, repeats: int) -> dict[str, float]:
    code = SCRIPT.format(root=str(ROOT), store=store, artifacts=artifacts, repeats=repeats)
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def first_and_warm(
    url: str, query: str, variables: dict[str, object], repeats: int
) -> tuple[float, float]:
    with httpx.Client(base_url=url, timeout=60) as http:
        samples = []
        for _ in range(repeats + 1):
            start = time.perf_counter()
            answer = http.post("/graphql", json={"query": query, "variables": variables}).json()
            samples.append(time.perf_counter() - start)
            assert "errors" not in answer, answer
    return samples[0], statistics.median(samples[1:])


def last_output(url: str) -> str:
    answer = httpx.post(f"{url}/graphql", json={"query": LAST_OUTPUT}, timeout=60).json()
    steps = answer["data"]["pipeline"]["lastRun"]["steps"]
    return str(steps[-1]["outputs"][0]["artifactVersion"]["id"])


def cli(store: str, *arguments: str) -> float:
    env = {**os.environ, "LINEAGEQL_STORE": store}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "lineageql", *arguments],
        check=True,
        capture_output=True,
        env=env,
        cwd=ROOT,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = str(Path(folder) / "cold.lbdb")
        artifacts = str(Path(folder) / "artifacts")
        asyncio.run(record(store, args.runs, args.steps))
        print(f"history: {args.runs} runs x {args.steps} chained steps, embedded store")
        print(f"{'case':40} {'first ms':>9} {'warm ms':>8} {'ratio':>6}")

        def row(label: str, first: float, warm: float) -> None:
            print(f"{label:40} {first * 1000:9.1f} {warm * 1000:8.1f} {first / warm:6.2f}")

        script = client_script(store, artifacts, args.repeats)
        print(f"{'  (script import of lineageql.client)':40} {script['import'] * 1000:9.1f}")
        row("script: Client() + inspection walk", script["first"], script["warm"])
        with serving(store) as url:
            row("new server: GraphQL walk", *first_and_warm(url, WALK, {}, args.repeats))
        with serving(store) as url:
            variables = {"id": last_output(url), "depth": args.steps - 1}
            row(
                f"new server: lineage depth {args.steps - 1}",
                *first_and_warm(url, LINEAGE, variables, args.repeats),
            )
        last = f"out_{args.steps - 1}"
        command = cli(store, "lineage", last, "--depth", str(args.steps - 1))
        print(f"{'CLI: lineage ' + last + ' (whole process)':40} {command * 1000:9.1f}")
        print(f"{'CLI: --help (the floor)':40} {cli(store, '--help') * 1000:9.1f}")


if __name__ == "__main__":
    main()
