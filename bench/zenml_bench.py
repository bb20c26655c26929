"""ZenML import benchmark: a history recorded by a real ZenML, imported, then compared.

Records RUNS runs of a 10-step chain in ZenML (the pinned ZenML of ``.zenml-venv``, see
``scripts/test``), then runs ``lineageql import zenml`` into an empty store and prints the
total time, the time ZenML took to read its own store, and lineageql's share (writing) with
its rate in elements per second; then walks every run, step, link, artifact version and
metadata value through lineageql's client and through ZenML's and says whether they agree.

    python bench/zenml_bench.py --runs 200 --store embedded
    python bench/zenml_bench.py --runs 20 --store neo4j-harness
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.graph_bench import store_location
from tests.test_zenml_import import (
    HISTORY,
    by_id,
    import_zenml,
    in_zenml,
    lineageql_report,
    zenml_report,
)

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--store", default="embedded")
    parser.add_argument("--zenml-python", default=str(ROOT / ".zenml-venv" / "bin" / "python"))
    args = parser.parse_args()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        shutil.copy(HISTORY, folder / HISTORY.name)
        in_zenml(args.zenml_python, folder, "init")
        start = time.perf_counter()
        in_zenml(args.zenml_python, folder, HISTORY.name, "--chain", str(args.runs))
        print(f"ZenML recorded {args.runs} runs x 10 steps in {time.perf_counter() - start:.0f} s")

        location = store_location(args.store, stack)
        start = time.perf_counter()
        done = import_zenml(args.zenml_python, folder, location, "-o", "json")
        total = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)
        summary = json.loads(done.stdout)
        rate = summary["elements"] / summary["write_seconds"] if summary["write_seconds"] else 0
        print(
            f"import into {args.store}: {total:.1f} s in all (the command, from start to end); "
            f"ZenML reading its store {summary['read_seconds']} s; lineageql writing "
            f"{summary['elements']:,} elements ({summary['runs']} runs, {summary['steps']} "
            f"steps) in {summary['write_seconds']} s = {rate:,.0f} elements/s"
        )

        theirs = zenml_report(args.zenml_python, folder)
        ours = lineageql_report(location)
        runs_agree = by_id(ours["runs"]) == by_id(theirs["runs"])
        versions_agree = by_id(ours["versions"]) == by_id(theirs["versions"])
        print(
            f"walk through both clients: {len(theirs['runs'])} runs and their steps, links and "
            f"metadata {'agree' if runs_agree else 'DIFFER'}; {len(theirs['versions'])} "
            f"artifact versions {'agree' if versions_agree else 'DIFFER'}"
        )


if __name__ == "__main__":
    main()
