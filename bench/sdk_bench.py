"""SDK benchmark: a 10-step chained pipeline (each step adds one to a small integer) run
RUNS times with caching off, on the embedded store and a local artifact store.

Prints the bookkeeping overhead per step and per run (wall time minus the steps' own work)
and the GraphQL requests each step makes.

    python bench/sdk_bench.py --runs 50 --steps 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORK_SECONDS: list[float] = []


def build(steps: int):  # type: ignore[no-untyped-def]
    from lineageql import pipeline, step

    @step
    def first() -> int:
        start = time.perf_counter()
        value = 0
        WORK_SECONDS.append(time.perf_counter() - start)
        return value

    @step
    def add_one(value: int) -> int:
        start = time.perf_counter()
        result = value + 1
        WORK_SECONDS.append(time.perf_counter() - start)
        return result

    @pipeline(enable_cache=False)
    def chained() -> None:
        value = first()
        for _ in range(steps - 1):
            value = add_one(value=value)

    return chained


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="lineageql-sdk-bench-")
    os.environ["LINEAGEQL_STORE"] = str(Path(folder) / "bench.lbdb")
    os.environ["LINEAGEQL_ARTIFACT_STORE"] = str(Path(folder) / "artifacts")
    os.environ.pop("LINEAGEQL_URL", None)

    from lineageql import Client

    transport = Client().transport
    requests = 0
    execute = transport.execute

    def counting(document: str, variables: dict | None = None) -> dict:  # type: ignore[type-arg]
        nonlocal requests
        requests += 1
        return execute(document, variables)

    transport.execute = counting  # type: ignore[method-assign]
    chained = build(args.steps)
    chained()  # warm up: imports, schema, first writes
    overheads = []
    requests = 0
    for _ in range(args.runs):
        WORK_SECONDS.clear()
        start = time.perf_counter()
        run = chained()
        elapsed = time.perf_counter() - start
        assert run.status.value == "completed"
        overheads.append((elapsed - sum(WORK_SECONDS)) * 1000)
    per_step = [overhead / args.steps for overhead in overheads]
    print(f"embedded store, {args.runs} runs x {args.steps} chained steps, caching off")
    print(
        f"overhead per run:  p50 {statistics.median(overheads):7.1f} ms   "
        f"mean {statistics.mean(overheads):7.1f} ms"
    )
    print(
        f"overhead per step: p50 {statistics.median(per_step):7.2f} ms   "
        f"mean {statistics.mean(per_step):7.2f} ms"
    )
    print(f"GraphQL requests per step: {requests / (args.runs * args.steps):.1f}")


if __name__ == "__main__":
    main()
