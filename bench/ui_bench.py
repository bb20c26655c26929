"""Explorer benchmark, in Debian's chromium: a run of STEPS chained steps, and the lineage of
a version made from WIDE parallel steps' outputs (about 2 x WIDE nodes); prints the seconds
from navigation until the graph is drawn (every step's node in the page; for the lineage,
its nodes laid out, the parallel siblings grouped).

    python bench/ui_bench.py --steps 500 --wide 499
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


def record_wide(url: str, wide: int) -> str:
    """A loader feeding ``wide`` parallel steps whose outputs one merge step reads; the id of
    the merged version."""
    steps = [
        {
            "name": "loader",
            "outputs": [{"name": "rows", "newVersion": {"name": "rows", "uri": "mem://r"}}],
        },
        *[
            {
                "name": f"part_{i:04d}",
                "inputs": [{"name": "rows", "fromStep": "loader", "fromOutput": "rows"}],
                "outputs": [
                    {"name": "p", "newVersion": {"name": f"part_{i:04d}", "uri": f"mem://p{i}"}}
                ],
            }
            for i in range(wide)
        ],
        {
            "name": "merge",
            "inputs": [
                {"name": f"p{i:04d}", "fromStep": f"part_{i:04d}", "fromOutput": "p"}
                for i in range(wide)
            ],
            "outputs": [{"name": "all", "newVersion": {"name": "merged", "uri": "mem://all"}}],
        },
    ]
    run = {
        "run": {"pipelineName": "ui-bench-wide", "name": "ui-bench-wide-1", "status": "COMPLETED"}
    }
    query = RECORD.replace("{ id }", "{ steps { outputs { artifactVersion { id } } } }")
    body = {"query": query, "variables": {"runs": [{**run, "steps": steps}]}}
    [recorded] = httpx.post(f"{url}/graphql", json=body, timeout=120).json()["data"]["recordRuns"]
    return str(recorded["steps"][-1]["outputs"][0]["artifactVersion"]["id"])


async def measure(url: str, path: str, drawn: str, repeats: int) -> list[float]:
    """Seconds from navigating to ``path`` until ``drawn`` (a selector) is in the page."""
    chromium = shutil.which("chromium") or "chromium"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            await page.goto(f"{url}{path}")
            await page.locator(drawn).first.wait_for(state="attached")
            seconds.append(time.perf_counter() - start)
        await browser.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--wide", type=int, default=499)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with serving(str(Path(tempfile.mkdtemp()) / "ui.lbdb")) as url:
        run_id = record(url, args.steps)
        last = f"[data-node-id]:nth-match([data-node-id], {args.steps})"
        seconds = asyncio.run(measure(url, f"/runs/{run_id}", last, args.repeats))
        print(
            f"run DAG, {args.steps} steps: p50 {statistics.median(seconds):.2f} s   "
            f"max {max(seconds):.2f} s   ({args.repeats} loads, navigation to all nodes)"
        )
        merged = record_wide(url, args.wide)
        found = httpx.post(
            f"{url}/graphql",
            json={
                "query": "query($id: ID!) { lineage(artifactVersionId: $id, depth: 2) "
                "{ nodes { id } } }",
                "variables": {"id": merged},
            },
        ).json()["data"]["lineage"]["nodes"]
        nodes = len(found)
        drawn = f".graph[data-graph-nodes='{nodes}'] [data-node-id]"
        seconds = asyncio.run(
            measure(
                url, f"/artifact-versions/{merged}?depth=2&direction=UPSTREAM", drawn, args.repeats
            )
        )
        print(
            f"lineage, {nodes} nodes (depth 2 upstream of a {args.wide}-way merge): p50 "
            f"{statistics.median(seconds):.2f} s   max {max(seconds):.2f} s   "
            f"({args.repeats} loads, navigation to the graph drawn, siblings grouped)"
        )


if __name__ == "__main__":
    main()
