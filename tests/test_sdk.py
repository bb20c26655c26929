"""Pipelines written against the SDK, run in-process, and inspected with the Client as the
seeds' walk-throughs do, on both stores."""

from __future__ import annotations

import json
import threading
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import pytest

from lineageql import (
    ArtifactConfig,
    Client,
    ExternalArtifact,
    get_step_context,
    load_artifact,
    log_artifact_metadata,
    log_metadata,
    pipeline,
    register_artifact,
    save_artifact,
    step,
)
from lineageql.errors import BadInputError, NotFoundError
from lineageql.sdk import StepFailedError
from lineageql.sdk.step_start import RUNNING_AFTER_SECONDS

CALLS: list[str] = []


@step
def load_numbers(
    count: int = 5,
) -> tuple[Annotated[pd.DataFrame, "features"], Annotated[pd.Series, "labels"]]:
    """Numbers and whether each is even."""
    CALLS.append("load_numbers")
    frame = pd.DataFrame({"value": list(range(count)), "square": [i * i for i in range(count)]})
    return frame, pd.Series([i % 2 == 0 for i in range(count)], name="even")


@step
def fit(
    features: pd.DataFrame, labels: pd.Series, scale: float = 1.0
) -> tuple[Annotated[dict, "model"], Annotated[float, "score"]]:
    CALLS.append("fit")
    weight = float(features["value"].sum()) * scale
    log_metadata({"weight": weight})
    return {"weight": weight, "rows": len(labels)}, weight / 10


@pipeline
def numbers_pipeline(scale: float = 1.0) -> None:
    """Fits a toy model on numbers."""
    features, labels = load_numbers()
    fit(features=features, labels=labels, scale=scale)


@step
def unnamed() -> int:
    return 7


@step
def unnamed_pair() -> tuple[int, str]:
    return 1, "one"


@step
def one_tuple() -> Annotated[tuple, "pair"]:
    return (1, 2)


@step
def consume(number: int, pair: tuple) -> None:
    CALLS.append(f"consume {number} {pair}")


@pipeline
def naming_pipeline() -> None:
    number = unnamed()
    first, _ = unnamed_pair()
    consume(number=first, pair=one_tuple())
    consume(number=number, pair=one_tuple(), id="consume_again")


def test_the_seeds_walk_from_pipeline_to_loaded_outputs(sdk_env: Path) -> None:
    CALLS.clear()
    first = numbers_pipeline(scale=2.0)
    run = numbers_pipeline()
    assert run.status.value == "completed" and run.name.startswith("numbers_pipeline-")
    assert [(s.name, s.status.value) for s in run.steps.values()] == [
        ("load_numbers", "cached"),
        ("fit", "completed"),
    ]
    assert CALLS == ["load_numbers", "fit", "fit"]

    model = Client().get_pipeline("numbers_pipeline")
    assert model.name == "numbers_pipeline" and numbers_pipeline.model.id == model.id
    assert [r.id for r in model.runs] == [run.id, first.id]
    assert model.last_run.id == run.id and model.last_successful_run.id == run.id
    assert [r.id for r in numbers_pipeline.get_runs()] == [run.id, first.id]
    assert run.docstring == "Fits a toy model on numbers."
    assert run.config.parameters == {"scale": 1.0}

    trainer = model.last_run.steps["fit"]
    assert trainer.config.parameters == {"scale": 1.0} and trainer.parameters["scale"] == 1.0
    assert sorted(trainer.outputs) == ["model", "score"]
    assert trainer.outputs["model"][0].load() == {"weight": 10.0, "rows": 5}
    assert trainer.outputs["score"].load() == 1.0
    assert trainer.run_metadata["weight"].value == 10.0
    assert run.run_metadata["weight"].value == 10.0
    assert sorted(trainer.inputs) == ["features", "labels"]
    features = trainer.inputs["features"].load()
    assert list(features.columns) == ["value", "square"] and len(features) == 5
    labels = run.steps[0].outputs["labels"].load()
    assert labels.name == "even" and labels.tolist() == [True, False, True, False, True]

    data = run.steps["load_numbers"].outputs["features"][0]
    assert data.name == "features" and data.version == "1"
    assert data.run_metadata["shape"].value == [5, 2]
    assert data.run_metadata["statistics"].value["square"]["max"] == 16.0
    assert data.run_metadata["storage_size"].value > 0
    assert data.producer_step is not None and data.producer_step.name == "load_numbers"
    assert sorted(v.name for v in trainer.outputs["model"].upstream(depth=1)) == [
        "features",
        "labels",
    ]
    with pytest.raises(BadInputError, match="2 outputs"):
        _ = trainer.output


def test_output_names_and_default_artifact_names(sdk_env: Path) -> None:
    CALLS.clear()
    run = naming_pipeline()
    steps = run.steps
    assert list(steps) == [
        "unnamed",
        "unnamed_pair",
        "one_tuple",
        "consume",
        "one_tuple_2",
        "consume_again",
    ]
    assert list(steps["unnamed"].outputs) == ["output"]
    assert steps["unnamed"].output.name == "naming_pipeline::unnamed::output"
    assert list(steps["unnamed_pair"].outputs) == ["output_0", "output_1"]
    assert steps["unnamed_pair"].outputs["output_1"].load() == "one"
    assert steps["one_tuple"].output.name == "pair"
    assert steps["one_tuple"].output.load() == (1, 2)
    assert steps["one_tuple_2"].status.value == "cached"  # same code and inputs as one_tuple
    assert steps["one_tuple_2"].output.id == steps["one_tuple"].output.id
    assert CALLS == ["consume 1 (1, 2)", "consume 7 (1, 2)"]
    assert steps["consume"].outputs == {}


@step
def divide(numerator: float, denominator: float) -> float:
    return numerator / denominator


@step
def after_divide(value: float) -> float:
    CALLS.append("after_divide")
    return value


@pipeline(enable_cache=False)
def failing_pipeline(denominator: float = 0.0) -> None:
    after_divide(divide(numerator=1.0, denominator=denominator))


def test_a_failing_step_fails_the_run_and_stops_it(sdk_env: Path) -> None:
    CALLS.clear()
    with pytest.raises(ZeroDivisionError):
        failing_pipeline()
    run = Client().get_pipeline("failing_pipeline").last_run
    assert run.status.value == "failed" and run.end_time is not None
    assert list(run.steps) == ["divide"]
    assert run.steps["divide"].status.value == "failed"
    assert run.steps["divide"].error_message == "ZeroDivisionError: float division by zero"
    assert CALLS == []
    with pytest.raises(NotFoundError, match="no successful run"):
        _ = Client().get_pipeline("failing_pipeline").last_successful_run
    assert failing_pipeline(denominator=4.0).steps["after_divide"].output.load() == 0.25


class NotJson:
    pass


@step
def takes_anything(thing: Any) -> None:
    pass


@step
def lies_about_its_output() -> int:
    return "seven"  # type: ignore[return-value]


def test_bad_parameters_fail_before_anything_runs(sdk_env: Path) -> None:
    @pipeline
    def unserialisable() -> None:
        takes_anything(thing=NotJson())

    with pytest.raises(BadInputError, match="'thing' is a NotJson, which is not JSON"):
        unserialisable()
    with pytest.raises(NotFoundError):
        Client().get_pipeline("unserialisable")

    @pipeline
    def missing_input() -> None:
        divide(numerator=1.0)

    with pytest.raises(BadInputError, match="missing its input 'denominator'"):
        missing_input()


def test_an_output_of_the_wrong_type_fails_the_step(sdk_env: Path) -> None:
    @pipeline
    def liar() -> None:
        lies_about_its_output()

    with pytest.raises(StepFailedError, match=r"output .output. is a str, but .* says int"):
        liar()
    step_run = Client().get_pipeline("liar").last_run.steps["lies_about_its_output"]
    assert step_run.status.value == "failed" and "says int" in str(step_run.error_message)


@step
def release_data() -> Annotated[
    list, ArtifactConfig(name="release", version="raw_2023", tags=("gold",))
]:
    return [1, 2, 3]


@pipeline(enable_cache=False)
def release_pipeline() -> None:
    release_data()


def test_custom_versions_are_unique_and_a_reuse_fails_cleanly(sdk_env: Path) -> None:
    run = release_pipeline()
    version = run.steps["release_data"].output
    assert (version.name, version.version, version.tags) == ("release", "raw_2023", ["gold"])
    folders_before = sorted(p.name for p in (sdk_env / "release").iterdir())
    with pytest.raises(StepFailedError, match="already has a version 'raw_2023'"):
        release_pipeline()
    assert sorted(p.name for p in (sdk_env / "release").iterdir()) == folders_before
    failed = Client().get_pipeline("release_pipeline").last_run
    assert failed.status.value == "failed"
    assert Client().get_artifact_version("release").version == "raw_2023"
    assert load_artifact("release", "raw_2023") == [1, 2, 3]


@step
def noisy(data: list) -> Annotated[int, "total"]:
    log_artifact_metadata({"note": "summed"})
    context = get_step_context()
    CALLS.append(f"{context.pipeline_name}/{context.step_run.name}")
    newest = Client().get_pipeline(context.pipeline_name).last_run
    CALLS.append("current is newest" if newest.id == context.pipeline_run.id else "stale")
    return sum(data)


def test_external_artifacts_context_and_artifact_metadata(sdk_env: Path) -> None:
    CALLS.clear()

    @pipeline
    def external_pipeline() -> None:
        noisy(data=ExternalArtifact([1, 2, 3], name="raw_numbers"))

    first = external_pipeline()
    second = external_pipeline()
    assert [s.status.value for s in second.steps.values()] == ["completed"]
    assert CALLS == ["external_pipeline/noisy", "current is newest"] * 2
    total = first.steps["noisy"].output
    assert total.load() == 6 and total.run_metadata["note"].value == "summed"
    raw = first.steps["noisy"].inputs["data"]
    assert raw.name == "raw_numbers" and raw.save_type == "external"


def test_save_load_register_and_download(sdk_env: Path, tmp_path: Path) -> None:
    saved = save_artifact({"a": 1}, "settings_blob", tags=["manual"], user_metadata={"k": "v"})
    assert saved.version == "1" and saved.save_type == "manual"
    assert load_artifact("settings_blob") == {"a": 1}
    assert load_artifact(saved.id) == {"a": 1}
    assert Client().get_artifact_version("settings_blob").run_metadata["k"].value == "v"
    save_artifact({"a": 2}, "settings_blob")
    assert load_artifact("settings_blob") == {"a": 2} and load_artifact("settings_blob", 1) == {
        "a": 1
    }

    checkpoints = sdk_env / "checkpoints" / "epoch_3"
    checkpoints.mkdir(parents=True)
    (checkpoints / "weights.bin").write_bytes(b"\x01\x02")
    registered = register_artifact(str(checkpoints), "checkpoint")
    assert registered.save_type == "preexisting"
    loaded = load_artifact("checkpoint")
    assert isinstance(loaded, Path) and (loaded / "weights.bin").read_bytes() == b"\x01\x02"
    assert (checkpoints / "weights.bin").exists()
    with pytest.raises(BadInputError, match="outside the artifact store"):
        register_artifact(str(tmp_path), "elsewhere")

    archive = registered.download_files(tmp_path / "checkpoint.zip")
    with zipfile.ZipFile(archive) as opened:
        assert opened.namelist() == ["weights.bin"]
    with pytest.raises(BadInputError, match=r"must end in \.zip"):
        registered.download_files(tmp_path / "checkpoint.tar")
    with pytest.raises(NotFoundError, match="no artifact 'nothing'"):
        load_artifact("nothing")


@step
def make_image() -> Annotated[np.ndarray, "picture"]:
    return np.zeros((4, 6, 3), dtype=np.uint8) + 200


def test_numpy_outputs_record_shape_dtype_statistics_and_a_png(sdk_env: Path) -> None:
    @pipeline
    def image_pipeline() -> None:
        make_image()

    picture = image_pipeline().steps["make_image"].output
    metadata = {key: entry.value for key, entry in picture.run_metadata.items()}
    assert metadata["shape"] == [4, 6, 3] and metadata["dtype"] == "uint8"
    assert metadata["mean"] == 200.0 and metadata["std"] == 0.0
    [visualization] = picture.visualizations
    assert visualization["type"] == "image"
    assert Path(visualization["uri"]).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert np.array_equal(picture.load(), np.zeros((4, 6, 3), dtype=np.uint8) + 200)


@step
def named_split(kind: str) -> Annotated[list, "{kind}_{date}_rows"]:
    return [kind]


def test_dynamic_names_yaml_configuration_and_pipeline_versions(
    sdk_env: Path, tmp_path: Path
) -> None:
    @pipeline
    def splits() -> None:
        named_split.with_options(substitutions={"kind": "train"})(kind="train")

    run = splits()
    name = run.steps["named_split"].output.name
    today = datetime.now(UTC).strftime("%Y_%m_%d")
    assert name == f"train_{today}_rows"

    config = tmp_path / "release.yaml"
    config.write_text(
        json.dumps(
            {
                "parameters": {"scale": 3.0},
                "tags": ["release"],
                "steps": {"fit": {"outputs": {"model": {"version": "v1.0"}}}},
            }
        )
    )
    released = numbers_pipeline.with_options(config_path=config)()
    assert released.tags == ["release"] and released.config.parameters == {"scale": 3.0}
    assert released.steps["fit"].outputs["model"].version == "v1.0"
    assert released.pipeline_version == 1

    def restructured() -> Any:
        @pipeline
        def numbers_pipeline() -> None:  # the same pipeline name with another structure
            load_numbers()

        return numbers_pipeline

    changed = restructured()()
    assert changed.pipeline_name == "numbers_pipeline" and changed.pipeline_version == 2
    again = restructured()()
    assert again.pipeline_version == 2
    versions = Client().get_pipeline("numbers_pipeline").versions
    assert [v.version for v in versions] == [2, 1]
    assert [r.id for r in versions[0].runs] == [again.id, changed.id]

    bad = tmp_path / "bad.yaml"
    bad.write_text("colour: blue\n")
    with pytest.raises(BadInputError, match="unknown keys colour"):
        numbers_pipeline.with_options(config_path=bad)


@step
def wants_text(text: str) -> None:
    pass


@step
def record_order(label: str) -> None:
    CALLS.append(label)


def test_inputs_are_checked_against_annotations_and_after_orders_steps(sdk_env: Path) -> None:
    @pipeline
    def mismatched() -> None:
        wants_text(text=unnamed())

    with pytest.raises(StepFailedError, match=r"input 'text' is a int, but .* says str"):
        mismatched()

    CALLS.clear()

    @pipeline(enable_cache=False)
    def ordered() -> None:
        record_order(label="first", id="a")
        record_order(label="second", id="b", after="a")
        record_order(label="third", id="c", after=["a", "b"])

    run = ordered()
    assert CALLS == ["first", "second", "third"] and list(run.steps) == ["a", "b", "c"]

    @pipeline
    def bad_after() -> None:
        record_order(label="x", after="nowhere")

    with pytest.raises(BadInputError, match="names no step invoked before it"):
        bad_after()


def test_a_version_fetched_with_the_client_feeds_a_step(sdk_env: Path) -> None:
    save_artifact(41, "answer_input")

    @step
    def add_one(value: int) -> Annotated[int, "answer"]:
        return value + 1

    @pipeline
    def reuse() -> None:
        add_one(value=Client().get_artifact_version("answer_input"))

    run = reuse()
    answer = run.steps["add_one"].output
    assert answer.load() == 42
    assert [v.name for v in answer.upstream()] == ["answer_input"]


def test_pipeline_versions_grow_when_the_structure_changes(sdk_env: Path) -> None:
    def build(two_steps: bool) -> Any:
        @pipeline
        def evolving() -> None:
            number = unnamed()
            if two_steps:
                consume(number=number, pair=one_tuple())

        return evolving

    first = build(False)()
    second = build(False)()
    third = build(True)()
    assert (first.pipeline_version, second.pipeline_version, third.pipeline_version) == (1, 1, 2)


def test_the_git_sha_is_recorded_from_a_clean_repository(
    sdk_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util
    import subprocess

    project = tmp_path / "project"
    project.mkdir()
    (project / "flow.py").write_text(
        "from lineageql import pipeline, step\n\n"
        "@step\ndef one() -> int:\n    return 1\n\n"
        "@pipeline\ndef tracked() -> None:\n    one()\n"
    )
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "flow.py"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "flow"], cwd=project, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.strip()
    spec = importlib.util.spec_from_file_location("flow", project / "flow.py")
    assert spec is not None and spec.loader is not None
    flow = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(flow)

    assert flow.tracked().git_sha == head
    (project / "scratch.txt").write_text("uncommitted")
    assert flow.tracked().git_sha is None


def test_an_unreachable_artifact_store_fails_the_step_clearly(
    sdk_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = sdk_env.parent / "not_a_folder"
    blocker.write_text("a file where the artifact store should be")
    monkeypatch.setenv("LINEAGEQL_ARTIFACT_STORE", str(blocker / "artifacts"))

    @pipeline
    def nowhere_to_write() -> None:
        unnamed()

    with pytest.raises(OSError):
        nowhere_to_write()
    run = Client().get_pipeline("nowhere_to_write").last_run
    assert run.status.value == "failed"
    message = str(run.steps["unnamed"].error_message)
    assert "not_a_folder" in message


def test_the_sdk_records_over_http_through_a_running_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lineageql.client import close_connections
    from tests.servers import serving

    artifacts = tmp_path / "artifacts"
    monkeypatch.setenv("LINEAGEQL_ARTIFACT_STORE", str(artifacts))
    store = str(tmp_path / "served.lbdb")
    with serving(store, LINEAGEQL_ARTIFACT_STORE=str(artifacts)) as url:
        # The endpoint as `lineageql serve` prints it, /graphql included.
        monkeypatch.setenv("LINEAGEQL_URL", f"{url}/graphql")
        close_connections()
        try:
            run = numbers_pipeline(scale=0.5)
            assert run.steps["fit"].outputs["model"].load() == {"weight": 5.0, "rows": 5}
            features = run.steps["load_numbers"].outputs["features"]
            # Types JSON cannot carry travel by name: the same as recorded in-process.
            assert features.run_metadata["storage_size"].type == "StorageSize"
            assert features.run_metadata["storage_size"].value > 0
            client = Client()
            assert client.transport.__class__.__name__ == "HttpTransport"
            assert client.get_pipeline_run(run.name[:-3]).id == run.id
            with pytest.raises(
                NotFoundError, match="no pipeline run has the id, name or name prefix 'nope'"
            ):
                client.get_pipeline_run("nope")
        finally:
            close_connections()


@step(enable_cache=False)
def never_cached() -> Annotated[int, ArtifactConfig(name="fresh", artifact_type="model")]:
    return 3


def test_step_level_cache_switch_artifact_types_and_threaded_prune(sdk_env: Path) -> None:
    @pipeline
    def uncached() -> None:
        never_cached()

    uncached()
    second = uncached()
    fresh = second.steps["never_cached"]
    assert fresh.status.value == "completed" and fresh.output.version == "2"
    assert fresh.output.type == "model"

    notes = save_artifact("# findings\nall good", "notes")
    table = save_artifact(pd.DataFrame({"a": [1, 2]}), "table")
    visual_files = [Path(v["uri"]) for v in (*notes.visualizations, *table.visualizations)]
    assert [f.suffix for f in visual_files] == [".md", ".html"]
    assert all(f.exists() for f in visual_files)
    result = Client().prune_artifacts(threads=4)
    assert sorted(result["deletedVersionIds"]) == sorted([notes.id, table.id])
    assert not any(f.exists() for f in visual_files)
    assert not Path(notes.uri).exists() and not Path(table.uri).exists()
    assert Client().get_artifact_version("fresh").load() == 3
    with pytest.raises(BadInputError, match="threads: must be between 1 and 64"):
        Client().prune_artifacts(threads=0)


@step
def count_items(items: list) -> Annotated[int, "item_count"]:
    return len(items)


def test_external_artifacts_and_saves_can_skip_metadata_and_visualizations(sdk_env: Path) -> None:
    from tests.test_materializers import Point, PointMaterializer

    quiet = save_artifact(
        "text that would get a markdown rendering",
        "quiet_text",
        extract_metadata=False,
        include_visualizations=False,
    )
    assert quiet.run_metadata == {} and quiet.visualizations == []
    custom = save_artifact(Point(3, 4), "point", materializer=PointMaterializer)
    assert custom.materializer.endswith("PointMaterializer") and custom.load() == Point(3, 4)
    assert custom.type == "geometry" and custom.run_metadata["norm"].value == 5.0

    @pipeline
    def counted() -> None:
        count_items(
            items=ExternalArtifact(
                ["a", "b"],
                name="raw_items",
                store_artifact_metadata=False,
                store_artifact_visualizations=False,
            )
        )

    raw = counted().steps["count_items"].inputs["items"]
    assert raw.name == "raw_items" and raw.run_metadata == {} and raw.load() == ["a", "b"]


@step
def slow_answer() -> Annotated[int, "answer"]:
    time.sleep(RUNNING_AFTER_SECONDS * 4)
    return 42


@step
def quick_double(answer: int) -> Annotated[int, "doubled"]:
    return answer * 2


def test_a_step_that_runs_a_while_is_seen_running_and_a_quick_one_is_recorded_whole(
    sdk_env: Path,
) -> None:
    """A watcher (another thread, as a live view would) sees the slow step running; both
    steps end completed with their lineage."""

    @pipeline
    def watched() -> None:
        quick_double(answer=slow_answer())

    seen: set[tuple[str, str]] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            try:
                run = Client().get_pipeline("watched").last_run
            except NotFoundError:
                continue
            if run is not None:
                seen.update((name, s.status.value) for name, s in run.steps.items())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run = watched()
    finally:
        done.set()
        watcher.join()
    assert ("slow_answer", "running") in seen
    assert {name: s.status.value for name, s in run.steps.items()} == {
        "slow_answer": "completed",
        "quick_double": "completed",
    }
    doubled = run.steps["quick_double"].output
    assert doubled.load() == 84
    assert [v.name for v in doubled.upstream()] == [run.steps["slow_answer"].output.name]
