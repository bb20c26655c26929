"""Lineage follows the data flow: exact upstream/downstream sets at each depth, no siblings."""

from __future__ import annotations

import pytest

from lineageql.errors import BadInputError, NotFoundError
from lineageql.graph import Direction, LineageRepository
from lineageql.records import ExecutionStatus, NewStep
from tests.graphql_client import execute
from tests.lineage_builders import Recorder

CHAIN_LENGTH = 12


async def record_diamond(repo: LineageRepository) -> Recorder:
    """source → (left, right) → join, plus a sibling output of `split` nobody consumes and
    an unrelated cousin branch fed by the same source."""
    rec = await Recorder.start(repo, "diamond", "diamond-run")
    await rec.step("source", outputs=["raw"])
    await rec.step("split", inputs={"data": "source.raw"}, outputs=["left", "right", "sibling"])
    await rec.step("left_model", inputs={"x": "split.left"}, outputs=["left_scores"])
    await rec.step("right_model", inputs={"x": "split.right"}, outputs=["right_scores"])
    await rec.step(
        "join",
        inputs={"a": "left_model.left_scores", "b": "right_model.right_scores"},
        outputs=["report"],
    )
    await rec.step("cousin", inputs={"data": "source.raw"}, outputs=["cousin_out"])
    return rec


async def names(repo: LineageRepository, ids: list[str]) -> set[str]:
    return {v.name for v in await repo.get_artifact_versions(ids) if v}


async def test_diamond_upstream_by_depth(repo: LineageRepository) -> None:
    rec = await record_diamond(repo)
    report = rec.version_id("join.report")
    expected = {
        1: {"left_scores", "right_scores"},
        2: {"left_scores", "right_scores", "left", "right"},
        3: {"left_scores", "right_scores", "left", "right", "raw"},
        10: {"left_scores", "right_scores", "left", "right", "raw"},
    }
    for depth, want in expected.items():
        [ids] = await repo.upstream_version_ids([report], depth)
        assert await names(repo, ids) == want, depth
        graph = await repo.lineage(report, Direction.UPSTREAM, depth)
        assert await names(repo, [i for i in graph.artifact_depths if i != report]) == want


async def test_diamond_downstream_never_reaches_siblings(repo: LineageRepository) -> None:
    rec = await record_diamond(repo)
    left = rec.version_id("split.left")
    [ids] = await repo.downstream_version_ids([left], 5)
    assert await names(repo, ids) == {"left_scores", "report"}
    [ids] = await repo.upstream_version_ids([left], 5)
    assert await names(repo, ids) == {"raw"}
    raw = rec.version_id("source.raw")
    [ids] = await repo.downstream_version_ids([raw], 1)
    assert await names(repo, ids) == {"left", "right", "sibling", "cousin_out"}


async def test_lineage_graph_has_depths_steps_and_named_edges(repo: LineageRepository) -> None:
    rec = await record_diamond(repo)
    report = rec.version_id("join.report")
    graph = await repo.lineage(report, Direction.UPSTREAM, 2)
    by_name = {
        v.name: graph.artifact_depths[v.id]
        for v in await repo.get_artifact_versions(list(graph.artifact_depths))
        if v
    }
    assert by_name == {"report": 0, "left_scores": 1, "right_scores": 1, "left": 2, "right": 2}
    step_names = {s.name for s in await repo.get_steps(graph.step_ids) if s}
    assert step_names == {"join", "left_model", "right_model"}
    edges = {(e.kind, e.name) for e in graph.edges}
    assert edges == {
        ("PRODUCED", "report"),
        ("CONSUMED", "a"),
        ("CONSUMED", "b"),
        ("PRODUCED", "left_scores"),
        ("PRODUCED", "right_scores"),
        ("CONSUMED", "x"),
    }
    assert len(graph.edges) == 7

    both = await repo.lineage(rec.version_id("split.left"), Direction.BOTH, 1)
    assert await names(repo, list(both.artifact_depths)) == {"left", "raw", "left_scores"}


async def test_chain_of_twelve_steps(repo: LineageRepository) -> None:
    rec = await Recorder.start(repo, "chain", "chain-run")
    await rec.step("s0", outputs=["a0"])
    for i in range(1, CHAIN_LENGTH):
        await rec.step(f"s{i}", inputs={"x": f"s{i - 1}.a{i - 1}"}, outputs=[f"a{i}"])
    last = rec.version_id(f"s{CHAIN_LENGTH - 1}.a{CHAIN_LENGTH - 1}")
    first = rec.version_id("s0.a0")
    for depth in (1, 3, 11, 12, 50):
        [up] = await repo.upstream_version_ids([last], depth)
        want = {f"a{i}" for i in range(max(0, CHAIN_LENGTH - 1 - depth), CHAIN_LENGTH - 1)}
        assert await names(repo, up) == want, depth
        [down] = await repo.downstream_version_ids([first], depth)
        assert await names(repo, down) == {f"a{i}" for i in range(1, min(depth, 11) + 1)}
    graph = await repo.lineage(last, Direction.UPSTREAM, 11)
    assert sorted(graph.artifact_depths.values()) == list(range(12))
    [up_steps] = await repo.upstream_step_ids([rec.steps["s11"].id], 3)
    assert {s.name for s in await repo.get_steps(up_steps) if s} == {"s10", "s9", "s8"}
    [down_steps] = await repo.downstream_step_ids([rec.steps["s0"].id], 2)
    assert {s.name for s in await repo.get_steps(down_steps) if s} == {"s1", "s2"}


async def test_depth_is_validated_and_unknown_versions_are_not_found(
    repo: LineageRepository,
) -> None:
    for depth in (0, 51, -1):
        with pytest.raises(BadInputError, match="depth"):
            await repo.lineage("whatever", Direction.UPSTREAM, depth)
    with pytest.raises(NotFoundError, match="no artifact version"):
        await repo.lineage("00000000-0000-0000-0000-000000000000")
    assert await repo.upstream_version_ids(["nope"], 3) == [[]]


CACHED_LINEAGE = """query($id: ID!) { lineage(artifactVersionId: $id, depth: 3) {
  nodes { __typename name
    ... on LineageVersionNode { reuseCount artifactVersion { reusedBy { id } } }
    ... on LineageStepNode { status } }
  edges { kind name } } }"""


async def test_cached_reuse_is_counted_not_drawn(repo: LineageRepository) -> None:
    """A hundred cached runs reused a loader's data: the model's lineage shows the loader
    that ran once, and the data it made with the count of cached steps that reused it."""
    first = await Recorder.start(repo, "training", "training-0")
    await first.step("load", outputs=["features"])
    await first.step("fit", inputs={"x": "load.features"}, outputs=["model"])
    for index in range(1, 101):
        again = await Recorder.start(repo, "training", f"training-{index}")
        cached = await repo.create_step(
            NewStep(run_id=again.run.id, name="load", status=ExecutionStatus.CACHED)
        )
        await repo.link_step_io(cached.id, outputs={"features": first.version_id("load.features")})
    answer = await execute(repo, CACHED_LINEAGE, id=first.version_id("fit.model"))
    assert "errors" not in answer, answer
    nodes = answer["data"]["lineage"]["nodes"]
    steps = [n for n in nodes if n["__typename"] == "LineageStepNode"]
    assert sorted((s["name"], s["status"]) for s in steps) == [
        ("fit", "COMPLETED"),
        ("load", "COMPLETED"),
    ]
    features = next(n for n in nodes if n["name"] == "features")
    assert features["reuseCount"] == 100
    assert len(features["artifactVersion"]["reusedBy"]) == 100
    model = next(n for n in nodes if n["name"] == "model")
    assert model["reuseCount"] == 0
    assert len(answer["data"]["lineage"]["edges"]) == 3  # load → features → fit → model
    # The upstream list keeps its meaning: what the model came from.
    [ids] = await repo.upstream_version_ids([first.version_id("fit.model")], 3)
    assert await names(repo, ids) == {"features"}
