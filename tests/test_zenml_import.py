"""`lineageql import zenml` against a real ZenML (pinned, in its own virtual environment): the
seeds' iris history recorded by ZenML, imported into both stores, and compared item by item
with what ZenML's own client reports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pytest

from lineageql import Client
from lineageql.client import close_connections
from lineageql.errors import BadInputError
from tests.servers import STORE_KINDS, neo4j_credentials, settings_for, store_for

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT / "tests" / "zenml" / "iris_history.py"
REPORT = ROOT / "tests" / "zenml" / "report.py"


def venv_python(env_var: str, folder: str) -> str:
    """A ZenML environment's Python (``scripts/test`` makes it), or skip / fail under CI."""
    path = Path(os.environ.get(env_var) or ROOT / folder / "bin" / "python")
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"no ZenML environment at {path}: scripts/test installs it")
        pytest.skip(f"no ZenML environment at {path}: run scripts/test to install it")
    return str(path)


@pytest.fixture(scope="module")
def zenml_python() -> str:
    return venv_python("LINEAGEQL_TEST_ZENML_PYTHON", ".zenml-venv")


def zenml_env(config: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ZENML_CONFIG_PATH": str(config),
        "ZENML_ANALYTICS_OPT_IN": "false",
        "ZENML_LOGGING_VERBOSITY": "ERROR",
    }


def in_zenml(python: str, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ZenML's Python in ``folder`` (ZenML's source root) against its store there."""
    done = subprocess.run(
        [python, *args] if args[0] != "init" else [str(Path(python).parent / "zenml"), "init"],
        cwd=folder,
        env=zenml_env(folder / "config"),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done


@pytest.fixture(scope="module")
def zenml_store(zenml_python: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ZenML store holding the iris history, recorded by ZenML."""
    folder = tmp_path_factory.mktemp("zenml")
    shutil.copy(HISTORY, folder / HISTORY.name)
    in_zenml(zenml_python, folder, "init")
    recorded = in_zenml(zenml_python, folder, HISTORY.name)
    assert "failed as intended" in recorded.stdout
    return folder


def zenml_report(python: str, folder: Path) -> dict[str, Any]:
    shutil.copy(REPORT, folder / REPORT.name)
    return dict(json.loads(in_zenml(python, folder, REPORT.name).stdout))


def import_zenml(
    python: str, folder: Path, store: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "lineageql",
            "import",
            "zenml",
            "--zenml-python",
            python,
            "--zenml-config",
            str(folder / "config"),
            *extra,
        ],
        env={**os.environ, **neo4j_credentials(), "LINEAGEQL_STORE": store, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(params=STORE_KINDS)
def lineageql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield store_for(str(request.param), request, tmp_path, "imported")
    close_connections()


def every(page_of: Callable[[int], list[T]]) -> list[T]:
    """Every item of a paged client listing."""
    items: list[T] = []
    page = 1
    while found := page_of(page):
        items += found
        page += 1
    return items


def lineageql_report(store: str, keep_open: bool = False) -> dict[str, Any]:
    """The same items as ``report.py`` gathers, through lineageql's client (closed after,
    so that the next import may open the embedded store, unless ``keep_open``)."""
    client = Client(settings=settings_for(store))
    runs = []
    for run in every(lambda page: client.list_pipeline_runs(size=100, page=page)):
        steps = {}
        for name, found in run.steps.items():
            steps[name] = {
                "status": found.status.value,
                "parameters": found.parameters,
                "metadata": {k: [m.type, m.value] for k, m in found.run_metadata.items()},
                "inputs": {k: [v.id for v in vs] for k, vs in found.inputs.items()},
                "outputs": {k: [v.id for v in vs] for k, vs in found.outputs.items()},
            }
        runs.append(
            {
                "id": run.id,
                "name": run.name,
                "pipeline": run.pipeline_name,
                "status": run.status.value,
                "parameters": run.config.parameters,
                "tags": sorted(run.tags),
                "metadata": {k: [m.type, m.value] for k, m in run.run_metadata.items()},
                "steps": steps,
            }
        )
    versions = [
        {
            "id": v.id,
            "name": v.name,
            "version": v.version,
            "uri": v.uri,
            "save_type": v.save_type,
            "tags": sorted(v.tags),
            "metadata": {k: [m.type, m.value] for k, m in v.run_metadata.items()},
        }
        for v in every(lambda page: client.list_artifact_versions(size=100, page=page))
    ]
    models = {}
    for model in client.list_models():
        models[model.name] = {
            "license": model.license,
            "versions": {
                str(v.number): {
                    "stage": v.stage,
                    "artifacts": {
                        kind: sorted(a.id for k, a in v.artifacts if k == kind)
                        for kind in ("model", "data")
                    },
                    "runs": sorted(client.get_pipeline_run(name).id for name in v.run_names),
                }
                for v in client.list_model_versions(model.name)
            },
        }
    pipelines = sorted(p.name for p in client.list_pipelines())
    if not keep_open:
        close_connections()
    return {
        "pipelines": pipelines,
        "runs": runs,
        "versions": versions,
        "models": models,
        "client": client,
    }


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def test_an_imported_history_answers_as_zenml_does(
    zenml_python: str, zenml_store: Path, lineageql_store: str
) -> None:
    zenml = zenml_report(zenml_python, zenml_store)
    # Five runs (one more on the second store: the first store's test recorded one later).
    recorded = len(zenml["runs"])
    assert recorded in (5, 6)
    dry = import_zenml(zenml_python, zenml_store, lineageql_store, "--dry-run", "-o", "json")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    planned = json.loads(dry.stdout)
    assert (planned["runs"], planned["dry_run"]) == (recorded, True)
    assert lineageql_report(lineageql_store)["runs"] == []  # a dry run writes nothing

    done = import_zenml(zenml_python, zenml_store, lineageql_store)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Imported {recorded} runs ({2 * recorded} steps)" in done.stdout

    ours = lineageql_report(lineageql_store, keep_open=True)
    assert ours["pipelines"] == zenml["pipelines"] == ["training_pipeline"]
    theirs_runs, our_runs = by_id(zenml["runs"]), by_id(ours["runs"])
    assert set(our_runs) == set(theirs_runs)
    statuses = sorted(run["status"] for run in zenml["runs"])
    assert statuses.count("failed") == 1
    for run_id, theirs in theirs_runs.items():
        mine = our_runs[run_id]
        for key in ("name", "pipeline", "status", "parameters", "tags", "metadata"):
            assert mine[key] == theirs[key], (key, mine[key], theirs[key])
        assert set(mine["steps"]) == set(theirs["steps"]), run_id
        for step_name, step in theirs["steps"].items():
            assert mine["steps"][step_name] == step, (run_id, step_name)
    theirs_versions, our_versions = by_id(zenml["versions"]), by_id(ours["versions"])
    assert set(our_versions) == set(theirs_versions)
    for version_id, theirs in theirs_versions.items():
        assert our_versions[version_id] == theirs, version_id
    # The registry: every version with its stage, what it holds by kind, and its run.
    assert ours["models"] == zenml["models"]
    stages = {n: v["stage"] for n, v in ours["models"]["iris_classifier"]["versions"].items()}
    assert (stages["2"], stages["3"]) == ("staging", "production")
    manual = next(v for v in zenml["versions"] if v["name"] == "manual_numbers")
    assert manual["tags"] == ["hand-made", "notebook"]
    assert manual["metadata"]["ratio"] == ["float", 0.5]

    client = ours["client"]
    x_train = client.get_artifact_version("X_train").load()
    expected = pd.DataFrame(**zenml["x_train"])
    pd.testing.assert_frame_equal(x_train, expected, check_dtype=False, check_names=False)
    assert client.get_artifact_version("manual_numbers").load() == [1, 2, 3]
    assert client.get_artifact_version("grid").load().tolist() == [[0, 1, 2], [3, 4, 5]]
    assert isinstance(client.get_artifact_version("training_acc", "3").load(), float)
    with pytest.raises(
        BadInputError, match=r"needs the materializer 'zenml\..*\.SklearnMaterializer'"
    ):
        client.get_artifact_version("trained_model").load()
    # Lineage means the same: the newest model came from the loader's X_train.
    model = client.get_artifact_version("trained_model")
    assert {v.name for v in model.upstream(depth=2)} == {"X_train", "y_train"}
    close_connections()

    again = import_zenml(zenml_python, zenml_store, lineageql_store, "-o", "json")
    assert again.returncode == 0, again.stdout + again.stderr
    second = json.loads(again.stdout)
    assert (second["runs"], second["artifact_versions"], second["runs_already_here"]) == (
        0,
        0,
        recorded,
    )
    assert lineageql_report(lineageql_store)["runs"] == ours["runs"]

    in_zenml(zenml_python, zenml_store, HISTORY.name, "--later")
    later = import_zenml(zenml_python, zenml_store, lineageql_store, "-o", "json")
    assert json.loads(later.stdout)["runs"] == 1, later.stdout + later.stderr
    newest = lineageql_report(lineageql_store)["runs"][0]
    assert newest["parameters"] == {"gamma": 0.02} and newest["status"] == "completed"


def test_a_store_of_an_unknown_zenml_release_is_refused(
    tmp_path: Path, lineageql_store: str
) -> None:
    old_python = venv_python("LINEAGEQL_TEST_OLD_ZENML_PYTHON", ".zenml-old-venv")
    folder = tmp_path / "old-zenml"
    folder.mkdir()
    in_zenml(old_python, folder, "init")
    refused = import_zenml(old_python, folder, lineageql_store)
    assert refused.returncode == 1
    assert "is of ZenML 0.97.0, which the importer does not know" in refused.stdout
    assert "nothing was imported" in refused.stdout
    assert lineageql_report(lineageql_store)["runs"] == []


def test_a_python_without_zenml_is_a_clear_error(tmp_path: Path) -> None:
    store = str(tmp_path / "nothing.lbdb")
    missing = import_zenml(str(tmp_path / "no-python"), tmp_path, store)
    assert missing.returncode == 1
    assert "cannot run ZenML's Python" in missing.stdout, missing.stdout + missing.stderr
    without = import_zenml(sys.executable, tmp_path, store)
    assert without.returncode == 1
    assert "has no ZenML installed" in without.stdout, without.stdout + without.stderr
