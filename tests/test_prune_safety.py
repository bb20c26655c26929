"""Prune cannot delete files that stored versions need: the two planted-version attacks (a
version whose URI is a folder above other versions' files, and one at the same path as a
version five steps consume), on both stores and on a local and a ``gs://`` artifact store."""

from __future__ import annotations

from typing import Annotated, Any

import fsspec
import pytest

from lineageql import Client, pipeline, step

CREATE_VERSION = """
mutation($input: ArtifactVersionInput!) { createArtifactVersion(input: $input) { id uri } }"""


@step
def load_features() -> Annotated[dict[str, list[float]], "X_train"]:
    return {"x": [1.0, 2.0, 3.0, 4.0]}


@step
def fit(x: dict[str, list[float]], gamma: float) -> Annotated[dict[str, float], "trained_model"]:
    return {"gamma": gamma, "rows": float(len(x["x"]))}


@pipeline
def training(gamma: float = 0.1) -> None:
    fit(x=load_features(), gamma=gamma)


def stored_files(root: str) -> set[str]:
    """Every file under ``root``, read afresh (no cached listings)."""
    options: dict[str, Any] = {"skip_instance_cache": True}
    if root.startswith("gs://"):
        options["token"] = "anon"
    fs, path = fsspec.core.url_to_fs(root, **options)
    return set(fs.find(path))


def plant(client: Client, name: str, uri: str) -> str:
    """What anyone who may write can do: register a version pointing at ``uri``."""
    answer = client.execute(CREATE_VERSION, input={"name": name, "uri": uri})
    return str(answer["createArtifactVersion"]["id"])


def attack_and_prune(root: str) -> None:
    for gamma in (0.1, 0.2, 0.3, 0.4, 0.5):
        training(gamma=gamma)
    client = Client()
    x_train = client.get_artifact_version("X_train")
    models = client.list_artifact_versions("trained_model")
    assert len(models) == 5
    consumers = client.lineage(x_train.id, downstream=True, depth=1)["steps"]
    assert len(consumers) >= 5
    before = stored_files(root)
    assert before, "the runs stored no files"

    ancestor = plant(client, "innocent", f"{root}/trained_model")
    twin = plant(client, "twin", x_train.uri)
    inside = plant(client, "inner", f"{models[0].uri}")
    result = client.prune_artifacts()

    assert sorted(result["deletedVersionIds"]) == sorted([ancestor, twin, inside])
    assert result["deletedUris"] == [] and result["failures"] == []
    reasons = {kept["artifactVersionId"]: kept["reason"] for kept in result["inUse"]}
    assert set(reasons) == {ancestor, twin, inside}
    assert reasons[ancestor].startswith("it holds the files of trained_model version")
    assert reasons[twin] == f"X_train version 1 ({x_train.id}) is stored at the same path"
    assert "trained_model version" in reasons[inside] and "same path" in reasons[inside]
    assert stored_files(root) == before
    assert client.get_artifact_version("X_train").load() == {"x": [1.0, 2.0, 3.0, 4.0]}
    assert [model.load()["gamma"] for model in models] == [0.5, 0.4, 0.3, 0.2, 0.1]


def test_prune_keeps_files_of_used_versions_local(sdk_env: Any) -> None:
    attack_and_prune(str(sdk_env.resolve()))


def test_prune_keeps_files_of_used_versions_gcs(gcs_sdk_env: str) -> None:
    attack_and_prune(gcs_sdk_env)


@pytest.mark.usefixtures("sdk_env")
def test_an_unused_folder_holding_only_unused_files_is_still_pruned() -> None:
    """The guard keeps what stored versions need, not everything: a pruned folder whose files
    no stored version names goes, with the pruned versions inside it."""
    client = Client()
    store = client.artifact_store
    root = store.root
    for part in ("a", "b"):
        with store.open(f"{root}/scratch/{part}/data.bin", "wb") as handle:
            handle.write(b"\x01")
    outer = plant(client, "scratch", f"{root}/scratch")
    inner = plant(client, "scratch-a", f"{root}/scratch/a")
    result = client.prune_artifacts()
    assert sorted(result["deletedVersionIds"]) == sorted([outer, inner])
    assert result["inUse"] == []
    assert not store.exists(f"{root}/scratch")
