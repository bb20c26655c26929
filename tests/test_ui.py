"""The explorer in a real browser (Debian's chromium, driven by Playwright), against a real
server holding the demo's history: a person's walk through the pages, live updates, offline
GraphiQL, hostile names, and the shipped bundle against its sources.

Screenshots of each page land in ``test-output/screenshots``."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.servers import serving

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "ui"
STATIC = ROOT / "lineageql" / "server" / "static"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
HOSTILE = "<img src=x onerror=alert(1)> [red]x[/red] '); DROP"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required under CI (apt-get install chromium)")
        pytest.skip("no chromium here: apt-get install chromium")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo's history (and a pipeline with a hostile name) behind a real server."""
    folder = tmp_path_factory.mktemp("ui")
    env = {
        **os.environ,
        "LINEAGEQL_STORE": str(folder / "demo.lbdb"),
        "LINEAGEQL_ARTIFACT_STORE": str(folder / "artifacts"),
    }
    recorded = subprocess.run(
        [sys.executable, "-m", "lineageql", "demo", "--no-serve"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    with serving(
        env["LINEAGEQL_STORE"], LINEAGEQL_ARTIFACT_STORE=env["LINEAGEQL_ARTIFACT_STORE"]
    ) as url:
        graphql(
            url,
            "mutation($n: String!) { createPipelineRun(input: {pipelineName: $n, "
            'name: "hostile-run", status: COMPLETED}) { id } }',
            n=HOSTILE,
        )
        yield url


def graphql(url: str, query: str, **variables: Any) -> dict[str, Any]:
    answer = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in answer, answer
    return dict(answer["data"])


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    path = chromium()
    async with async_playwright() as playwright:
        opened = await playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield opened
        await opened.close()


@pytest.fixture
async def page(browser: Browser, server: str) -> AsyncIterator[Page]:
    """A page that may reach only the server: any other request is refused and recorded;
    a script dialog (an injected alert) fails the test."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    opened = await context.new_page()
    elsewhere: list[str] = []
    dialogs: list[str] = []
    server_host = urlparse(server).netloc

    async def guard(route: Any) -> None:
        if urlparse(route.request.url).netloc == server_host:
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    await context.route("**/*", guard)
    opened.on("dialog", lambda dialog: dialogs.append(dialog.message))
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    await context.close()
    assert elsewhere == [], f"requests left the server: {elsewhere}"
    assert dialogs == [], f"a script ran: {dialogs}"
    assert errors == [], f"the page failed: {errors}"


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def test_a_person_walks_from_pipelines_to_lineage_and_a_comparison(
    page: Page, server: str
) -> None:
    await page.goto(f"{server}/")
    await page.get_by_role("link", name="training_pipeline").first.wait_for()
    row = page.locator("#pipelines tr", has_text="training_pipeline")
    await row.get_by_role("cell", name="5", exact=True).wait_for()
    await shot(page, "1-home")

    await page.get_by_role("link", name="training_pipeline").first.click()
    await page.wait_for_url(f"{server}/pipelines/training_pipeline")
    runs = page.locator("#runs tbody tr")
    await runs.nth(4).wait_for()
    assert await runs.count() == 5
    await shot(page, "2-pipeline")

    # The oldest run (gamma 0.001) is at the bottom; open it.
    oldest = runs.nth(4)
    await oldest.get_by_role("link").click()
    await page.wait_for_url(f"{server}/runs/*")
    nodes = page.locator("[data-node-id]")
    await nodes.nth(1).wait_for()
    names = {text.split("\n")[0] for text in await nodes.all_inner_texts()}
    assert names == {"training_data_loader", "svc_trainer"}
    # Edge labels name the artifacts, shortened to fit between the columns, whole on hover.
    label = page.locator(".react-flow__edge-text .edge-label")
    assert await label.count() == 1
    assert await label.get_attribute("data-full") == "X_train, y_train"
    assert await label.locator("title").text_content() == "X_train, y_train"
    await page.locator("[data-node-id]", has_text="svc_trainer").click()
    panel = page.get_by_role("complementary", name="step")
    # gamma is a parameter, and the trainer logged it as metadata too.
    await panel.get_by_role("row", name="gamma 0.001").first.wait_for()
    await shot(page, "3-run")

    await panel.get_by_role("link", name="trained_model:1").click()
    await page.wait_for_url(f"{server}/artifact-versions/*")
    await page.locator("[data-node-id]", has_text="X_train").first.wait_for()
    lineage_names = {
        t.split("\n")[0] for t in await page.locator("[data-node-id]").all_inner_texts()
    }
    assert {"trained_model:1", "svc_trainer", "X_train:1", "y_train:1"} <= lineage_names
    await shot(page, "4-artifact-version")

    # Compare with the second model (gamma 0.005): only the trainer and the model changed.
    await page.get_by_label("compare with").select_option(label="version 2")
    diff = page.locator("#diff")
    await diff.wait_for()
    trainer = diff.locator("tr", has_text="svc_trainer")
    assert await trainer.get_attribute("data-change") == "CHANGED"
    assert "gamma: 0.005 → 0.001" in await trainer.inner_text()
    loader = diff.locator("tr", has_text="training_data_loader")
    assert await loader.get_attribute("data-change") == "SAME"
    changed = page.locator(".graph-node.changed")
    await changed.first.wait_for()
    assert {t.split("\n")[0] for t in await changed.all_inner_texts()} == {
        "svc_trainer",
        "trained_model:1",
    }
    await shot(page, "4b-version-diff")

    await page.goto(f"{server}/pipelines/training_pipeline")
    await runs.nth(4).wait_for()
    await runs.nth(3).get_by_role("checkbox").check()
    await runs.nth(4).get_by_role("checkbox").check()
    await page.locator("#compare").click()
    await page.wait_for_url(f"{server}/compare?runs=*")
    gamma = page.locator("#comparison tr[data-key='svc_trainer.gamma']")
    await gamma.wait_for()
    assert "changed" in (await gamma.get_attribute("class") or "")
    await page.locator("figure[data-chart-key='training_acc'] canvas").wait_for()
    await shot(page, "5-compare")


async def test_search_filters_and_visualizations(page: Page, server: str) -> None:
    await page.goto(f"{server}/")
    # Any part of a name: "model" finds trained_model, "_train" finds X_train and y_train.
    await page.get_by_label("search").fill("model")
    await page.locator(".search-results").get_by_role("link", name="trained_model").wait_for()
    await page.get_by_label("search").fill("_train")
    results = page.locator(".search-results")
    await results.get_by_role("link", name="y_train").wait_for()
    # Steps too: "trainer" finds svc_trainer in the runs that have it.
    await page.get_by_label("search").fill("trainer")
    await results.get_by_text("step svc_trainer in").first.wait_for()
    await page.get_by_label("search").fill("X_tr")
    await page.locator(".search-results").get_by_role("link", name="X_train").click()
    await page.wait_for_url(f"{server}/artifact-versions/*")
    # A DataFrame's HTML table: in a frame sandboxed with scripts off.
    frame = page.locator("iframe.visualization")
    await frame.wait_for()
    assert await frame.get_attribute("sandbox") == ""
    table = page.frame_locator("iframe.visualization").locator("table")
    await table.wait_for()
    src = await frame.get_attribute("src")
    served = httpx.get(f"{server}{src}")
    assert served.headers["content-type"].startswith("text/html")
    assert "sandbox" in served.headers.get_list("content-security-policy")
    await shot(page, "8-visualization")

    await page.goto(f"{server}/pipelines/training_pipeline")
    await page.locator("#runs tbody tr").nth(4).wait_for()
    await page.get_by_label("status", exact=True).select_option("FAILED")
    await page.locator("#runs tbody tr").first.get_by_text("FAILED").wait_for()
    assert await page.locator("#runs tbody tr").count() == 1


async def test_a_run_page_updates_while_the_run_runs(page: Page, server: str) -> None:
    run = graphql(
        server,
        'mutation { createPipelineRun(input: {pipelineName: "live", status: RUNNING}) { id } }',
    )["createPipelineRun"]
    await page.goto(f"{server}/runs/{run['id']}")
    await page.get_by_role("heading", name="RUNNING").wait_for()
    # Another process (this test, through the API) records a step while the page is open.
    step = graphql(
        server,
        'mutation($run: ID!) { startStep(input: {runId: $run, name: "train"}) { id } }',
        run=run["id"],
    )["startStep"]
    node = page.locator(f"[data-node-id='{step['id']}']")
    await node.wait_for(timeout=5000)
    assert "running" in (await node.inner_text())
    graphql(server, "mutation($id: ID!) { finishStep(input: {stepId: $id}) { id } }", id=step["id"])
    await page.locator(f"[data-node-id='{step['id']}']", has_text="completed").wait_for(
        timeout=5000
    )
    await shot(page, "6-live-run")


async def test_graphiql_runs_a_query_offline(page: Page, server: str) -> None:
    await page.goto(f"{server}/graphql")
    editor = page.locator(".graphiql-query-editor .CodeMirror").first
    await editor.wait_for()
    # It fills the window, opens with a ready walk, and leads back to the explorer.
    box = await page.locator(".graphiql-container").bounding_box()
    assert box is not None and box["height"] >= 0.8 * 900, box
    assert "upstream(depth: 3)" in await editor.inner_text()
    await page.locator(".graphiql-execute-button").click()
    await page.locator(".graphiql-response").get_by_text('"runCount"').first.wait_for()
    await shot(page, "7-graphiql-walk")
    await editor.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.type("{ pipelines { totalCount edges { node { name ")
    await page.locator(".graphiql-execute-button").click()
    await page.locator(".graphiql-response").get_by_text('"training_pipeline"').wait_for()
    await shot(page, "7-graphiql")
    await page.locator("#back-to-explorer").click()
    await page.wait_for_url(f"{server}/")


async def test_hostile_names_render_as_text(page: Page, server: str) -> None:
    await page.goto(f"{server}/")
    await page.get_by_text(HOSTILE).first.wait_for()
    assert await page.locator("img[src='x']").count() == 0
    response = httpx.get(f"{server}/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy


async def test_a_500_step_run_renders_every_node(page: Page, server: str) -> None:
    steps = [
        {
            "name": f"s{i:03d}",
            "inputs": [{"name": "x", "fromStep": f"s{i - 1:03d}", "fromOutput": "y"}] if i else [],
            "outputs": [{"name": "y", "newVersion": {"name": f"v{i:03d}", "uri": f"mem://{i}"}}],
        }
        for i in range(500)
    ]
    [run] = graphql(
        server,
        "mutation($runs: [RecordedRunInput!]!) { recordRuns(runs: $runs) { id } }",
        runs=[
            {
                "run": {"pipelineName": "wide", "name": "wide-1", "status": "COMPLETED"},
                "steps": steps,
            }
        ],
    )["recordRuns"]
    await page.goto(f"{server}/runs/{run['id']}")
    await page.locator(".graph[data-graph-nodes='500']").wait_for()
    await page.locator("[data-node-id]").nth(499).wait_for(state="attached")
    assert await page.locator("[data-node-id]").count() == 500


async def inside(page: Page, selector: str) -> bool:
    """Whether the element lies within the graph's visible box."""
    frame = await page.locator(".graph").bounding_box()
    found = await page.locator(selector).first.bounding_box()
    assert frame is not None
    return found is not None and (
        frame["x"] <= found["x"] + found["width"] / 2 <= frame["x"] + frame["width"]
        and frame["y"] <= found["y"] + found["height"] / 2 <= frame["y"] + frame["height"]
    )


NODES_DRAWN_NOW = """(count) =>
  Number(document.querySelector(".graph")?.dataset.drawnNodes) === count"""


async def test_a_120_step_fan_out_reads_at_a_legible_size(page: Page, server: str) -> None:
    """A loader fanning out to 100 feature steps and back in (one feature fails): labels
    stay legible (pan instead), a minimap shows where the view is, search finds and centres,
    and the error list leads to the failed step."""
    features = [
        {
            "name": f"feature_{i:03d}",
            "status": "FAILED" if i == 77 else "COMPLETED",
            "errorMessage": "ValueError: column 77 is empty" if i == 77 else None,
            "inputs": [{"name": "rows", "fromStep": "loader", "fromOutput": "rows"}],
            "outputs": []
            if i == 77
            else [{"name": "f", "newVersion": {"name": f"feat_{i:03d}", "uri": f"mem://f/{i}"}}],
        }
        for i in range(100)
    ]
    steps = [
        {
            "name": "loader",
            "outputs": [{"name": "rows", "newVersion": {"name": "rows", "uri": "mem://r"}}],
        },
        *features,
        *[
            {
                "name": f"merge_{j}",
                "inputs": [
                    {"name": f"f{i:03d}", "fromStep": f"feature_{i:03d}", "fromOutput": "f"}
                    for i in range(j * 5, j * 5 + 5)
                    if i != 77
                ],
                "outputs": [],
            }
            for j in range(19)
        ],
    ]
    [run] = graphql(
        server,
        "mutation($runs: [RecordedRunInput!]!) { recordRuns(runs: $runs) { id } }",
        runs=[
            {"run": {"pipelineName": "fan", "name": "fan-1", "status": "FAILED"}, "steps": steps}
        ],
    )["recordRuns"]
    await page.goto(f"{server}/runs/{run['id']}")
    await page.locator(".graph[data-graph-nodes='120']").wait_for()
    # The 100 features fed by the loader are one group: its count and statuses on it.
    # React Flow may draw a node again while it measures it: read the text once it is there.
    await page.wait_for_function(
        """() => {
            const group = document.querySelector("[data-group-count='100']");
            const text = group ? group.innerText : "";
            return text.includes("\u00d7100") && text.includes("1 failed");
        }"""
    )
    assert await page.locator(".graph").get_attribute("data-drawn-nodes") == "21"
    await page.locator(".react-flow__minimap").wait_for()
    frame = await page.locator(".graph").bounding_box()
    assert frame is not None and frame["height"] >= 500  # the graph uses the window
    labels = page.locator(".graph-node-label")
    await labels.nth(20).wait_for(state="attached")
    visible = [
        box
        for box in [await labels.nth(i).bounding_box() for i in range(21)]
        if box is not None
        and frame["y"] <= box["y"] <= frame["y"] + frame["height"]
        and frame["x"] <= box["x"] <= frame["x"] + frame["width"]
    ]
    assert visible and min(box["height"] for box in visible) >= 10, visible[:3]
    await shot(page, "10-fan-out")

    await page.get_by_label("find in graph").fill("feature_05")
    await page.get_by_text("10 found").wait_for()
    assert await page.locator(".graph-node.match").count() == 10
    assert await inside(page, ".graph-node.match")
    # A status finds the steps in it: "failed" opens the group and marks the one that failed.
    await page.get_by_label("find in graph").fill("failed")
    await page.get_by_text("1 found").wait_for()
    assert "feature_077" in await page.locator(".graph-node.match").inner_text()
    await page.get_by_label("find in graph").fill("")
    # Out of the search, the group closes again; opened on click, it shows every feature.
    await page.wait_for_function(NODES_DRAWN_NOW, arg=21)
    await page.locator("[data-group-count='100']").click()
    await page.wait_for_function(NODES_DRAWN_NOW, arg=120)

    await page.locator("[data-failed-step]").click()
    failed = "[data-node-id].status-failed"
    assert await inside(page, failed)
    panel = page.get_by_role("complementary", name="step")
    await panel.get_by_text("column 77 is empty").first.wait_for()
    # Selecting a step (found first: it is off screen) marks its path: the loader upstream,
    # its merge downstream.
    await page.get_by_label("find in graph").fill("feature_010")
    await page.get_by_text("1 found").wait_for()
    await page.locator("[data-node-id]", has_text="feature_010").click()
    on_path = {
        t.split("\n")[0] for t in await page.locator(".graph-node.on-path").all_inner_texts()
    }
    assert on_path == {"loader", "merge_2"}
    await shot(page, "11-fan-out-path")


async def test_backfilled_runs_list_in_order_and_compare_answers(page: Page, server: str) -> None:
    """21 runs recorded in one call list newest first in the order sent; picking a 21st run
    to compare says so; the comparison puts metadata first, shows each change, and can show
    only the differences."""
    runs = [
        {
            "run": {"pipelineName": "backfill", "name": f"backfill-{i:02d}", "status": "COMPLETED"},
            "metadata": {"accuracy": 0.5 + i / 100, "dataset": "iris"},
            "steps": [{"name": "train", "parameters": {"gamma": 0.1, "seed": i}}],
        }
        for i in range(21)
    ]
    graphql(
        server,
        "mutation($runs: [RecordedRunInput!]!) { recordRuns(runs: $runs) { id } }",
        runs=runs,
    )
    await page.goto(f"{server}/pipelines/backfill")
    rows = page.locator("#runs tbody tr")
    await rows.nth(19).wait_for()
    names = [(await row.locator("td").nth(1).inner_text()) for row in await rows.all()]
    assert names == [f"backfill-{i:02d}" for i in range(20, 0, -1)]
    for index in range(20):
        await rows.nth(index).get_by_role("checkbox").check()
    await page.get_by_role("button", name="Older").click()
    await page.get_by_label("pick backfill-00").click()
    await page.get_by_role("alert").get_by_text("At most 20 runs").wait_for()
    assert await page.get_by_label("pick backfill-00").is_checked() is False

    # Chosen metadata as a column, sorted by name, filtered by a metadata comparison.
    await page.get_by_role("button", name="Newer").click()
    await page.get_by_label("pick backfill-20").wait_for()  # the newer page is back
    await page.get_by_label("columns").fill("accuracy")
    await page.wait_for_function(
        """() => {
            const cell = document.querySelector("#runs tbody tr td[data-column='accuracy']");
            return cell !== null && cell.innerText === '0.7';
        }"""
    )
    await page.get_by_label("metadata key").fill("accuracy")
    await page.get_by_label("metadata comparison").select_option("LT")
    await page.get_by_label("metadata value").fill("0.53")
    await page.get_by_label("sort by run").click()  # newest name first
    await page.get_by_label("sort by run").click()  # then ascending
    # The second click's answer replaces the first's: wait for the rows it brings.
    await page.wait_for_function(
        """() => {
            const rows = [...document.querySelectorAll('#runs tbody tr')];
            const first = rows.length ? rows[0].querySelectorAll('td')[1].innerText : '';
            return rows.length === 3 && first === 'backfill-00';
        }"""
    )
    sorted_names = [(await row.locator("td").nth(1).inner_text()) for row in await rows.all()]
    assert sorted_names == ["backfill-00", "backfill-01", "backfill-02"]
    await page.get_by_label("metadata key").fill("")
    await rows.nth(19).wait_for()
    await page.locator("#compare").click()
    await page.wait_for_url(f"{server}/compare?runs=*")
    table = page.locator("#comparison")
    await table.locator("tr[data-key='accuracy']").wait_for()
    sections = await table.locator("tr.section").all_inner_texts()
    assert sections == ["Metadata", "Parameters"]
    accuracy = table.locator("tr[data-key='accuracy']")
    assert "(+0.01)" in await accuracy.inner_text()
    await page.get_by_label("only differences").check()
    assert await table.locator("tr[data-key='dataset']").count() == 0
    assert await table.locator("tr[data-key='train.seed']").count() == 1
    assert await table.locator("tr[data-key='train.gamma']").count() == 0
    chart = await page.locator("figure[data-chart-key='accuracy'] canvas").bounding_box()
    assert chart is not None and chart["width"] >= 600
    await shot(page, "13-compare-backfill")


async def test_a_version_reused_by_50_cached_runs_is_drawn_once(page: Page, server: str) -> None:
    first = {
        "run": {"pipelineName": "reuse", "name": "reuse-00", "status": "COMPLETED"},
        "steps": [
            {
                "name": "load",
                "outputs": [
                    {"name": "rows", "newVersion": {"name": "shared_rows", "uri": "mem://rows"}}
                ],
            },
            {
                "name": "train",
                "inputs": [{"name": "rows", "fromStep": "load", "fromOutput": "rows"}],
                "outputs": [
                    {"name": "model", "newVersion": {"name": "reuse_model", "uri": "mem://m"}}
                ],
            },
        ],
    }
    [recorded] = graphql(
        server,
        "mutation($runs: [RecordedRunInput!]!) { recordRuns(runs: $runs) "
        "{ steps { name outputs { artifactVersion { id } } } } }",
        runs=[first],
    )["recordRuns"]
    rows = recorded["steps"][0]["outputs"][0]["artifactVersion"]["id"]
    model = recorded["steps"][1]["outputs"][0]["artifactVersion"]["id"]
    cached = [
        {
            "run": {"pipelineName": "reuse", "name": f"reuse-{i:02d}", "status": "CACHED"},
            "steps": [
                {
                    "name": "load",
                    "status": "CACHED",
                    "outputs": [{"name": "rows", "artifactVersionId": rows}],
                },
                {
                    "name": "train",
                    "status": "CACHED",
                    "inputs": [{"name": "rows", "artifactVersionId": rows}],
                    "outputs": [{"name": "model", "artifactVersionId": model}],
                },
            ],
        }
        for i in range(1, 51)
    ]
    graphql(
        server,
        "mutation($runs: [RecordedRunInput!]!) { recordRuns(runs: $runs) { id } }",
        runs=cached,
    )
    await page.goto(f"{server}/artifact-versions/{rows}")
    node = page.locator(f"[data-node-id='{rows}']")
    await node.wait_for()
    assert "reused by 50 cached" in await node.inner_text()
    drawn = {t.split("\n")[0] for t in await page.locator("[data-node-id]").all_inner_texts()}
    assert drawn == {"shared_rows:1", "load", "train", "reuse_model:1"}, drawn
    await shot(page, "14-cached-reuse")


NODES_DRAWN = """([low, high]) => {
  const n = Number(document.querySelector(".graph")?.dataset.graphNodes);
  return n >= low && n <= high;
}"""


async def test_lineage_depth_refits_and_lives_in_the_url(page: Page, server: str) -> None:
    steps = [
        {
            "name": f"d{i:02d}",
            "inputs": [{"name": "x", "fromStep": f"d{i - 1:02d}", "fromOutput": "y"}] if i else [],
            "outputs": [
                {"name": "y", "newVersion": {"name": f"deep_{i:02d}", "uri": f"mem://d{i}"}}
            ],
        }
        for i in range(60)
    ]
    [run] = graphql(
        server,
        "mutation($runs: [RecordedRunInput!]!) { recordRuns(runs: $runs) "
        "{ id steps { outputs { artifactVersion { id } } } } }",
        runs=[
            {
                "run": {"pipelineName": "deep", "name": "deep-1", "status": "COMPLETED"},
                "steps": steps,
            }
        ],
    )["recordRuns"]
    last = run["steps"][-1]["outputs"][0]["artifactVersion"]["id"]
    start = f"[data-node-id='{last}']"
    await page.goto(f"{server}/artifact-versions/{last}")
    await page.locator(start).wait_for()
    depth = page.get_by_label("depth")
    await depth.fill("")
    await depth.type("50")
    await depth.press("Enter")
    await page.wait_for_function(NODES_DRAWN, arg=[90, 200])
    assert "depth=50" in page.url
    assert await inside(page, start)
    await page.get_by_label("direction").select_option("UPSTREAM")
    await page.wait_for_url("**direction=UPSTREAM**")
    await page.reload()
    await page.wait_for_function(NODES_DRAWN, arg=[90, 200])
    assert await page.get_by_label("depth").input_value() == "50"
    assert await inside(page, start)
    await depth.fill("2")
    await depth.press("Enter")
    await page.wait_for_function(NODES_DRAWN, arg=[2, 8])
    assert await inside(page, start)
    # The selected node lives in the URL too: its path is marked again after a reload.
    await page.locator(start).click()
    await page.wait_for_url(f"**node={last}**")
    await page.reload()
    selected = page.locator(".graph-node.selected")
    await selected.wait_for()
    assert await selected.get_attribute("data-node-id") == last
    assert await page.locator(".graph-node.on-path").count() >= 2
    await shot(page, "12-deep-lineage")


def column_events() -> list[dict[str, Any]]:
    """A Spark action summing payments into a ledger, with the column lineage it sends."""
    run, parent = str(uuid.uuid4()), str(uuid.uuid4())

    def field(name: str, kind: str) -> dict[str, str]:
        return {"name": name, "type": kind}

    payments = {
        "namespace": "s3://ui-lake",
        "name": "raw/payments",
        "facets": {"schema": {"fields": [field("account", "string"), field("cents", "long")]}},
    }
    ledger = {
        "namespace": "s3://ui-lake",
        "name": "marts/ledger",
        "facets": {
            "schema": {"fields": [field("account", "string"), field("balance", "long")]},
            "columnLineage": {
                "fields": {
                    "balance": {
                        "inputFields": [
                            {
                                "namespace": "s3://ui-lake",
                                "name": "raw/payments",
                                "field": "cents",
                                "transformations": [
                                    {
                                        "type": "DIRECT",
                                        "subtype": "AGGREGATION",
                                        "description": "sum(cents)",
                                    }
                                ],
                            }
                        ]
                    }
                }
            },
        },
    }
    parent_facet = {
        "parent": {"run": {"runId": parent}, "job": {"namespace": "spark", "name": "ledger_app"}}
    }
    return [
        {
            "eventType": kind,
            "eventTime": f"2026-11-30T0{minute}:00:00Z",
            "run": {"runId": run, "facets": parent_facet},
            "job": {"namespace": "spark", "name": "ledger_app.sum_payments"},
            "producer": "https://github.com/OpenLineage/OpenLineage/tree/1.31.0/integration/spark",
            "inputs": [payments],
            "outputs": [ledger] if kind == "COMPLETE" else [],
        }
        for kind, minute in (("START", 1), ("COMPLETE", 2))
    ]


async def test_a_version_page_traces_a_column_to_its_sources(page: Page, server: str) -> None:
    for event in column_events():
        answer = httpx.post(f"{server}/api/v1/lineage", json=event)
        assert answer.status_code == 201, answer.text
    ledger = graphql(server, '{ artifactVersion(name: "s3://ui-lake/marts/ledger") { id } }')
    await page.goto(f"{server}/artifact-versions/{ledger['artifactVersion']['id']}")
    columns = page.locator("#columns")
    await columns.get_by_role("row", name="balance long").wait_for()
    assert await columns.locator("tr").count() == 2
    await columns.get_by_role("button", name="balance").click()
    sources = page.locator("#column-sources tr")
    await sources.first.wait_for()
    assert await sources.count() == 1
    text = await sources.first.inner_text()
    assert "s3://ui-lake/raw/payments:1 · cents" in text and "direct aggregation" in text
    # The version holding the source column is marked on the lineage graph.
    traced = page.locator(".graph-node.traced")
    await traced.first.wait_for()
    assert "s3://ui-lake/raw/payments:1" in await traced.first.inner_text()
    await shot(page, "5-column-lineage")


async def test_the_registry_from_models_to_the_production_models_lineage(
    page: Page, server: str
) -> None:
    """The demo promoted its best iris_classifier version; a person finds it and where its
    model came from."""
    production = graphql(
        server,
        '{ modelVersion(model: "iris_classifier", stage: PRODUCTION) { number name '
        "modelArtifact { name version } } }",
    )["modelVersion"]
    await page.goto(f"{server}/")
    await page.get_by_role("link", name="Models").click()
    await page.wait_for_url(f"{server}/models")
    row = page.locator("#models tr[data-model='iris_classifier']")
    await row.wait_for()
    assert await row.locator("td.production").inner_text() == f"version {production['name']}"
    await shot(page, "7-models")

    await row.get_by_role("link", name="iris_classifier").click()
    await page.wait_for_url(f"{server}/models/iris_classifier")
    versions = page.locator("#model-versions tbody tr")
    await versions.nth(4).wait_for()
    assert [await v.get_attribute("data-version") for v in await versions.all()] == [
        "5",
        "4",
        "3",
        "2",
        "1",
    ]
    promoted = page.locator("#model-versions tr[data-stage='PRODUCTION']")
    assert await promoted.get_attribute("data-version") == str(production["number"])
    await page.get_by_role("row", name="BSD-3-Clause").wait_for()
    await shot(page, "8-model")

    await promoted.get_by_role("link", name=production["name"], exact=True).click()
    await page.wait_for_url(f"{server}/models/iris_classifier/versions/*")
    model_node = f"{production['modelArtifact']['name']}:{production['modelArtifact']['version']}"
    await page.locator("[data-node-id]", has_text=model_node).first.wait_for()
    drawn = {t.split("\n")[0] for t in await page.locator("[data-node-id]").all_inner_texts()}
    assert {model_node, "svc_trainer", "training_data_loader", "X_train:1"} <= drawn
    history = page.locator("#stage-history")
    await history.get_by_text("none → production").wait_for()
    kinds = await page.locator("#model-artifacts tr").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)"
    )
    assert sorted(set(kinds)) == ["DATA", "MODEL"]
    await page.locator("#model-runs a").first.wait_for()
    await shot(page, "9-model-version")

    # A model named with a slash has its pages too.
    graphql(server, 'mutation { createModelVersion(input: {model: "team/ranker"}) { id } }')
    await page.goto(f"{server}/models")
    await page.get_by_role("link", name="team/ranker").click()
    await page.locator("#model-versions tr[data-version='1']").get_by_role("link").click()
    await page.get_by_role("heading", name="team/ranker version 1").wait_for()


def test_deep_links_answer_the_page(server: str) -> None:
    for path in (
        "/pipelines/training_pipeline",
        "/runs/x",
        "/artifact-versions/x",
        "/compare?runs=a,b",
        "/models",
        "/models/iris_classifier",
        "/models/iris_classifier/versions/production",
        "/models/team%2Franker/versions/1.2.0",
    ):
        response = httpx.get(f"{server}{path}")
        assert response.status_code == 200 and '<div id="root">' in response.text, path
    assert httpx.get(f"{server}/static/app.js").status_code == 200


def test_the_shipped_bundle_was_built_from_these_sources() -> None:
    """ui/build.mjs writes the hash of its sources beside the bundle; rebuild with
    scripts/build-ui after changing anything under ui/."""
    manifest = json.loads((STATIC / "manifest.json").read_text())
    files = ["package.json", "package-lock.json", "build.mjs"]
    files += sorted_walk(UI / "src", "src")
    assert manifest["sources"] == files
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update((UI / name).read_bytes())
        digest.update(b"\0")
    assert manifest["sha256"] == digest.hexdigest(), "rebuild the UI: scripts/build-ui"
    for bundle in ("app.js", "app.css", "graphiql.js", "graphiql.css"):
        assert (STATIC / bundle).stat().st_size > 0


def sorted_walk(folder: Path, prefix: str) -> list[str]:
    found = []
    for child in sorted(folder.iterdir(), key=lambda p: p.name):
        name = f"{prefix}/{child.name}"
        found += sorted_walk(child, name) if child.is_dir() else [name]
    return found
