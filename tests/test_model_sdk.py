"""The model registry as a ZenML user meets it: ``@pipeline(model=Model(...))``, outputs
marked as the model, the step context's model version, promotion, and another pipeline that
loads the production model, with lineage running through the promotion. Both stores."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import pytest

from lineageql import ArtifactConfig, Client, get_step_context, load_artifact, pipeline, step
from lineageql.errors import ConflictError, NotFoundError
from lineageql.sdk import Model


@step
def load_flowers() -> tuple[Annotated[pd.DataFrame, "X_train"], Annotated[pd.Series, "y_train"]]:
    frame = pd.DataFrame(
        {"petal_length": [1.4, 4.7, 5.9, 1.3], "petal_width": [0.2, 1.4, 2.1, 0.2]}
    )
    return frame, pd.Series([0, 1, 2, 0], name="species")


@step
def fit_threshold(
    X_train: pd.DataFrame, y_train: pd.Series, margin: float = 0.5
) -> Annotated[dict, ArtifactConfig(name="flower_model", is_model_artifact=True)]:
    model = {"threshold": float(X_train["petal_length"].mean()) + margin, "classes": 3}
    get_step_context().model.log_metadata({"margin": margin, "rows": len(y_train)})
    return model


@pipeline(model=Model(name="flower_classifier", license="MIT", use_cases="species"))
def flower_training(margin: float = 0.5) -> None:
    x_train, y_train = load_flowers()
    fit_threshold(X_train=x_train, y_train=y_train, margin=margin)


@step
def predict() -> Annotated[list, "predictions"]:
    context = get_step_context()
    assert context.step_run.id  # recorded as running now: the load is linked as it finishes
    model = context.model.load_artifact("flower_model")
    return [length > model["threshold"] for length in (1.0, 9.0)]


@step
def count_training_rows() -> Annotated[int, "training_rows"]:
    return len(load_artifact("X_train"))


@pipeline(model=Model(name="flower_classifier", version="production"))
def flower_inference() -> None:
    predict()
    count_training_rows()


@pipeline(model=Model(name="flower_classifier", version="2.0.0"), enable_cache=False)
def flower_release(margin: float = 0.1) -> None:
    x_train, y_train = load_flowers()
    fit_threshold(X_train=x_train, y_train=y_train, margin=margin)


def test_each_run_makes_a_version_holding_its_outputs(sdk_env: Path) -> None:
    runs = [flower_training(margin=m) for m in (0.25, 0.5, 1.0)]
    client = Client()
    model = client.get_model("flower_classifier")
    assert (model.license, model.use_cases) == ("MIT", "species")
    versions = client.list_model_versions("flower_classifier")
    assert [v.number for v in versions] == [3, 2, 1]
    for version, run in zip(reversed(versions), runs, strict=True):
        assert version.run_names == [run.name]
        assert version.metadata == {"margin": version.metadata["margin"], "rows": 4}
        assert sorted(version.data_artifacts) == ["X_train", "y_train"]
        assert list(version.model_artifacts) == ["flower_model"]
        produced = run.steps["fit_threshold"].output
        assert version.get_model_artifact().id == produced.id
    assert [v.metadata["margin"] for v in versions] == [1.0, 0.5, 0.25]
    assert versions[0].get_model_artifact().load()["threshold"] == pytest.approx(4.325)
    with pytest.raises(NotFoundError, match="holds no data artifact 'nothing'"):
        versions[0].get_data_artifact("nothing")


def test_promotion_and_a_consumer_pipeline_that_loads_production(sdk_env: Path) -> None:
    for margin in (0.25, 0.5, 1.0):
        flower_training(margin=margin)
    client = Client()
    second = client.get_model_version("flower_classifier", 2).set_stage("production")
    assert second.stage == "production"
    with pytest.raises(ConflictError, match="is in production"):
        client.get_model_version("flower_classifier", 3).set_stage("production")
    third = client.get_model_version("flower_classifier", 3).set_stage("production", force=True)
    assert third.stage == "production"
    assert client.get_model_version("flower_classifier", 2).stage == "archived"
    assert client.get_model_version("flower_classifier", "production").number == 3
    assert [
        (c.from_stage, c.to_stage)
        for c in client.get_model_version("flower_classifier", 2).stage_history
    ] == [("none", "production"), ("production", "archived")]

    inference = flower_inference()
    # Using the production version adds no version and nothing to it.
    assert len(client.list_model_versions("flower_classifier")) == 3
    assert third.run_names == client.get_model_version("flower_classifier", 3).run_names
    step_run = inference.steps["predict"]
    assert step_run.outputs["predictions"][0].load() == [False, True]
    [consumed] = step_run.inputs["flower_model"]
    assert consumed.id == third.get_model_artifact().id
    upstream = {v.name for v in step_run.outputs["predictions"][0].upstream(depth=3)}
    assert {"flower_model", "X_train", "y_train"} <= upstream
    # load_artifact inside a step links what it loads too.
    counted = inference.steps["count_training_rows"]
    assert counted.output.load() == 4
    assert [v.name for v in counted.inputs["X_train"]] == ["X_train"]

    diff = client.diff_model_versions("flower_classifier", 2, "production")
    assert [(m.key, m.before, m.after) for m in diff.metadata if m.changed] == [
        ("margin", 0.5, 1.0)
    ]
    assert diff.lineage is not None
    changed_steps, _ = diff.lineage.changed()
    [fit] = changed_steps
    assert fit.step_name == "fit_threshold"
    assert [(p.key, p.before, p.after) for p in fit.parameters] == [("margin", 0.5, 1.0)]


def test_a_named_version_gathers_its_runs(sdk_env: Path) -> None:
    first, second = flower_release(), flower_release(margin=0.2)
    client = Client()
    [version] = client.list_model_versions("flower_classifier")
    assert (version.number, version.name) == (1, "2.0.0")
    assert sorted(version.run_names) == sorted([first.name, second.name])
    # Both runs' model artifacts are held; the newest is the version's model.
    assert version.get_model_artifact().load()["threshold"] == pytest.approx(3.525)
    with pytest.raises(NotFoundError, match="has no version 'production'"):
        flower_inference()
