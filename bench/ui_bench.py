"""Explorer benchmark: a run of STEPS chained steps opened in Debian's chromium; prints the
seconds from navigation until every step's node is laid out and in the page.

    python bench/ui_bench.py --steps 500
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.async_api import async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import serving

RECORD = "mutation($runs: [RecordedRunInput!]!) { recordRuns(runs: $runs) { id } }"


def record(url: str, steps: int) -> str:
    """A chained run of ``steps`` steps; its id."""
    chain = [
        {
            "name": f"s{i:04d}",
            "inputs": [{"name": "x", "fromStep": f"s{i - 1:04d}", "fromOutput": "y"}] if i else [],
            "outputs": [{"name": "y", "newVersion": {"name": f"v{i:04d}", "uri": f"mem://{i}"}}],
        }
        for i in range(steps)
    ]
    run = {"run": {"pipelineName": "ui-bench", "name": "ui-bench-1", "status": "COMPLETED"}}
    body = {"query": RECORD, "variables": {"runs": [{**run, "steps": chain}]}}
    [recorded] = httpx.post(f"{url}/graphql", json=body, timeout=120).json()["data"]["recordRuns"]
    return str(recorded["id"])


async def measure(url: str, path: str, nodes: int, repeats: int) -> list[float]:
    chromium = shutil.which("chromium") or "chromium"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            await page.goto(f"{url}{path}")
            await page.locator("[data-node-id]").nth(nodes - 1).wait_for(state="attached")
            seconds.append(time.perf_counter() - start)
        await browser.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with serving(str(Path(tempfile.mkdtemp()) / "ui.lbdb")) as url:
        run_id = record(url, args.steps)
        seconds = asyncio.run(measure(url, f"/runs/{run_id}", args.steps, args.repeats))
        print(
            f"run DAG, {args.steps} steps: p50 {statistics.median(seconds):.2f} s   "
            f"max {max(seconds):.2f} s   ({args.repeats} loads, navigation to all nodes)"
        )


if __name__ == "__main__":
    main()
