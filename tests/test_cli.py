"""The ``lineageql`` command as a user runs it: subprocesses, their output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lineageql.demo import WALK_QUERY
from lineageql.discovery import record_path
from tests.servers import STORE_KINDS, free_port, neo4j_credentials, store_for, wait_for_health


def lineageql(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lineageql", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        input=stdin,
        env={**os.environ, **env},
    )


@pytest.fixture(scope="module", params=STORE_KINDS)
def demo_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """A store of each kind holding the demo history (recorded without serving)."""
    folder = tmp_path_factory.mktemp("cli")
    env = {
        "LINEAGEQL_STORE": store_for(str(request.param), request, folder, "demo"),
        "LINEAGEQL_ARTIFACT_STORE": str(folder / "artifacts"),
        **neo4j_credentials(),
    }
    recorded = lineageql("demo", "--no-serve", env=env)
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    assert (
        "failed, as intended" in recorded.stdout and "cached (every step reused)" in recorded.stdout
    )
    assert "Explore it in the browser" in recorded.stdout and "lastRun {" in recorded.stdout
    return env


def test_listings_as_tables_and_json(demo_env: dict[str, str]) -> None:
    pipelines = json.loads(lineageql("pipeline", "list", "-o", "json", env=demo_env).stdout)
    assert [(p["name"], p["runs"]) for p in pipelines] == [("training_pipeline", 5)]

    runs = lineageql("pipeline", "runs", "list", "-o", "json", env=demo_env)
    assert [r["status"] for r in json.loads(runs.stdout)] == [
        "cached",
        "failed",
        "completed",
        "completed",
        "completed",
    ]
    failed = lineageql(
        "pipeline",
        "runs",
        "list",
        "-p",
        "training_pipeline",
        "--status",
        "failed",
        "-o",
        "json",
        env=demo_env,
    )
    [failed_run] = json.loads(failed.stdout)

    described = lineageql("pipeline", "runs", "describe", failed_run["name"], env=demo_env)
    assert described.returncode == 0
    assert "svc_trainer  failed" in described.stdout and "InvalidParameterError" in described.stdout
    assert "X_train: X_train v1" in described.stdout

    two = json.loads(
        lineageql("pipeline", "runs", "list", "--size", "2", "-o", "json", env=demo_env).stdout
    )
    assert [r["status"] for r in two] == ["cached", "failed"]
    described_json = json.loads(
        lineageql(
            "pipeline", "runs", "describe", failed_run["name"], "-o", "json", env=demo_env
        ).stdout
    )
    assert "svc_trainer" in json.dumps(described_json)
    artifacts_json = json.loads(lineageql("artifact", "list", "-o", "json", env=demo_env).stdout)
    assert "trained_model" in [a["name"] for a in artifacts_json]
    table = lineageql("artifact", "list", env=demo_env)
    assert "trained_model" in table.stdout and "Artifacts" in table.stdout
    versions = json.loads(
        lineageql("artifact", "version", "list", "trained_model", "-o", "json", env=demo_env).stdout
    )
    assert [v["version"] for v in versions] == ["3", "2", "1"]
    assert versions[0]["data_type"] == "sklearn.svm._classes.SVC"

    tree = lineageql("lineage", "trained_model", env={**demo_env, "COLUMNS": "200"})
    assert tree.returncode == 0
    lines = tree.stdout.splitlines()
    assert lines[0].startswith("trained_model v3")
    assert any("svc_trainer" in line and "completed" in line for line in lines)
    assert any("X_train v1" in line for line in lines)
    # The loader ran once; the four cached runs that reused its data are counted, not drawn.
    assert any("training_data_loader" in line and "1 completed" in line for line in lines)
    assert not any("cached" in line and "training_data_loader" in line for line in lines)
    assert any("X_train v1" in line and "reused by 4 cached steps" in line for line in lines)
    downstream = lineageql("lineage", "X_train", "--downstream", "--depth", "1", env=demo_env)
    assert "1 failed" in downstream.stdout and "training_acc v3" in downstream.stdout


def save_unused(value: str, name: str, env: dict[str, str]) -> str:
    """Save ``value`` as an artifact no run uses, from a script as a user would; its uri."""
    script = f"from lineageql import save_artifact; print(save_artifact({value}, {name!r}).uri)"
    saved = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    return saved.stdout.strip().splitlines()[-1]


def test_prune_asks_then_deletes_unused_versions(demo_env: dict[str, str], tmp_path: Path) -> None:
    uri = save_unused("[1, 2]", "scratch", demo_env)
    declined = lineageql("artifact", "prune", env=demo_env, stdin="n\n")
    assert declined.returncode == 1 and "scratch v1" in declined.stdout and Path(uri).exists()
    assert "1 artifact versions no run uses" in declined.stdout
    assert "Delete the 1 version listed?" in declined.stdout
    pruned = lineageql("artifact", "prune", "--yes", "-t", "2", env=demo_env)
    assert pruned.returncode == 0, pruned.stdout
    assert "Deleted 1 version records and 1 file sets" in pruned.stdout
    assert not Path(uri).exists()
    again = lineageql("artifact", "prune", "--yes", env=demo_env)
    assert "No unused artifact versions" in again.stdout


def test_prune_flags_delete_files_or_records_only(demo_env: dict[str, str], tmp_path: Path) -> None:
    uri = save_unused("[3]", "flagged", demo_env)
    files_only = lineageql("artifact", "prune", "--only-artifact", "--yes", env=demo_env)
    assert "Deleted 0 version records and 1 file sets" in files_only.stdout, files_only.stdout
    assert not Path(uri).exists()
    listed = lineageql("artifact", "version", "list", "flagged", "-o", "json", env=demo_env)
    assert [v["version"] for v in json.loads(listed.stdout)] == ["1"]
    records_only = lineageql(
        "artifact", "prune", "--only-metadata", "--ignore-errors", "-y", env=demo_env
    )
    assert "Deleted 1 version records and 0 file sets" in records_only.stdout
    gone = lineageql("artifact", "version", "list", "flagged", "-o", "json", env=demo_env)
    assert json.loads(gone.stdout) == []
    both = lineageql("artifact", "prune", "--only-metadata", "--only-artifact", env=demo_env)
    assert both.returncode == 1 and both.stdout.startswith("error: ")


def test_errors_are_one_friendly_line(demo_env: dict[str, str]) -> None:
    for args in (
        ("pipeline", "runs", "describe", "no-such-run"),
        ("lineage", "no_such_artifact"),
        ("pipeline", "runs", "list", "-p", "no_such_pipeline"),
        ("pipeline", "runs", "list", "--status", "sleeping"),
    ):
        result = lineageql(*args, env=demo_env)
        assert result.returncode == 1, args
        assert (
            result.stdout.startswith("error: ") and "Traceback" not in result.stdout + result.stderr
        )
    unreachable = lineageql("serve", "--store", "bolt://127.0.0.1:9", env=demo_env)
    assert unreachable.returncode == 1
    assert "cannot reach Neo4j at bolt://127.0.0.1:9" in unreachable.stdout


@pytest.fixture
def serving_demo(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], subprocess.Popen[str]]]:
    """`lineageql demo` as the README runs it: records, then serves until stopped."""
    env = {
        **os.environ,
        "LINEAGEQL_STORE": str(tmp_path / "served.lbdb"),
        "LINEAGEQL_ARTIFACT_STORE": str(tmp_path / "artifacts"),
    }
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "lineageql", "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line or "Serving until" in line:
            break
    wait_for_health(url, process)
    try:
        yield url, env, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_demo_serves_and_other_processes_go_through_the_server(
    serving_demo: tuple[str, dict[str, str], subprocess.Popen[str]],
) -> None:
    url, env, process = serving_demo
    answer = httpx.post(f"{url}/graphql", json={"query": WALK_QUERY}).json()
    found = answer["data"]["pipeline"]
    assert found["runCount"] == 5 and found["lastRun"]["status"] == "CACHED"
    trainer = found["lastRun"]["steps"][1]
    model = next(o for o in trainer["outputs"] if o["name"] == "trained_model")
    assert {v["name"] for v in model["artifactVersion"]["upstream"]} == {"X_train", "y_train"}

    record = record_path(env["LINEAGEQL_STORE"])
    assert json.loads(record.read_text())["url"] == url
    # The store is held by the server; the CLI gets there through it, untold.
    listed = lineageql("pipeline", "runs", "list", "-o", "json", env=env)
    assert listed.returncode == 0, listed.stdout
    assert len(json.loads(listed.stdout)) == 5

    process.terminate()
    process.wait(timeout=30)
    assert not record.exists()
    alone = lineageql("pipeline", "list", "-o", "json", env=env)
    assert json.loads(alone.stdout)[0]["runs"] == 5


@pytest.mark.parametrize("demo_env", ["embedded"], indirect=True)
def test_a_stale_server_record_is_ignored(demo_env: dict[str, str]) -> None:
    """Server records sit beside an embedded store; Neo4j has none."""
    record = record_path(demo_env["LINEAGEQL_STORE"])
    record.write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 999_999_999}))
    try:
        listed = lineageql("pipeline", "list", "-o", "json", env=demo_env)
        assert (
            listed.returncode == 0 and json.loads(listed.stdout)[0]["name"] == "training_pipeline"
        )
    finally:
        record.unlink()


def test_the_demo_calls_only_the_invalid_gamma_an_intended_failure() -> None:
    from sklearn.svm import SVC

    from lineageql.demo import FAILING_GAMMA, is_intended_failure

    with pytest.raises(ValueError) as refused:
        SVC(gamma=FAILING_GAMMA).fit([[0.0], [1.0]], [0, 1])
    assert is_intended_failure(refused.value)
    assert not is_intended_failure(ValueError("could not convert string to float: 'x'"))


def test_diff_explains_two_models_of_the_demo(demo_env: dict[str, str]) -> None:
    """The demo trained version 1 with gamma 0.001 and version 2 with 0.005; the loader ran
    once and the second run reused it."""
    answer = lineageql("diff", "trained_model:1", "trained_model:2", "-o", "json", env=demo_env)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    found = json.loads(answer.stdout)
    assert (found["name"], found["from"], found["to"]) == ("trained_model", "1", "2")
    changes = {(c["kind"], c["name"]): c for c in found["changes"]}
    assert changes[("step", "svc_trainer")]["change"] == "CHANGED"
    assert changes[("step", "svc_trainer")]["details"] == "parameter gamma: 0.001 -> 0.005"
    assert changes[("step", "training_data_loader")]["change"] == "SAME"
    for name in ("X_train", "y_train"):
        assert changes[("artifact", name)]["change"] == "SAME"
    assert changes[("artifact", "trained_model")]["change"] == "CHANGED"

    table = lineageql(
        "diff", "trained_model:1", "trained_model:2", env={**demo_env, "COLUMNS": "200"}
    )
    assert table.returncode == 0, table.stderr
    assert "trained_model:1 -> trained_model:2" in table.stdout
    assert "gamma: 0.001 -> 0.005" in table.stdout

    missing = lineageql("diff", "trained_model:1", "trained_model:99", env=demo_env)
    assert missing.returncode == 1
    assert "no version '99' of artifact 'trained_model'" in missing.stdout


def test_the_demo_registry_from_the_command_line(demo_env: dict[str, str]) -> None:
    """The demo made a version of iris_classifier per run and promoted the best one."""
    models = json.loads(lineageql("model", "list", "-o", "json", env=demo_env).stdout)
    assert [(m["name"], m["latest version"], m["license"]) for m in models] == [
        ("iris_classifier", "5", "BSD-3-Clause")
    ]
    listed = lineageql("model", "version", "list", "iris_classifier", "-o", "json", env=demo_env)
    versions = {v["number"]: v for v in json.loads(listed.stdout)}
    assert sorted(versions) == [1, 2, 3, 4, 5]
    trained = {n: v for n, v in versions.items() if "training_acc" in v["metadata"]}
    assert sorted(trained) == [
        1,
        2,
        3,
    ]  # the failing run trained nothing; the cached one reran nothing
    best = max(trained.values(), key=lambda v: (v["metadata"]["training_acc"], v["number"]))
    assert [n for n, v in versions.items() if v["stage"] == "production"] == [best["number"]]
    assert versions[4]["model artifact"] == ""  # the failing run
    assert versions[5]["model artifact"] == versions[3]["model artifact"]  # reused by the cache

    other = 1 if best["number"] != 1 else 2
    refused = lineageql(
        "model",
        "version",
        "update",
        "iris_classifier",
        str(other),
        "--stage",
        "production",
        env=demo_env,
    )
    assert refused.returncode == 1
    assert f"version '{best['name']}' is in production" in refused.stdout
    moved = lineageql(
        "model",
        "version",
        "update",
        "iris_classifier",
        str(other),
        "--stage",
        "production",
        "--force",
        "-o",
        "json",
        env=demo_env,
    )
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert json.loads(moved.stdout)[0]["stage"] == "production"
    archived = lineageql(
        "model",
        "version",
        "list",
        "iris_classifier",
        "--stage",
        "archived",
        "-o",
        "json",
        env=demo_env,
    )
    assert [v["number"] for v in json.loads(archived.stdout)] == [best["number"]]

    diffed = lineageql(
        "model", "diff", "iris_classifier", "archived", "production", "-o", "json", env=demo_env
    )
    assert diffed.returncode == 0, diffed.stdout + diffed.stderr
    changes = {(c["kind"], c["name"]): c for c in json.loads(diffed.stdout)["changes"]}
    assert changes[("metadata", "gamma")]["change"] == "CHANGED"
    assert changes[("step", "svc_trainer")]["change"] == "CHANGED"
    assert changes[("step", "training_data_loader")]["change"] == "SAME"
    table = lineageql(
        "model",
        "diff",
        "iris_classifier",
        "archived",
        "production",
        env={**demo_env, "COLUMNS": "200"},
    )
    assert "iris_classifier:" in table.stdout and "svc_trainer" in table.stdout
