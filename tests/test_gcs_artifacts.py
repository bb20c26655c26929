"""The artifact store on ``gs://`` (the GCS emulator on 127.0.0.1), on both graph stores."""

from __future__ import annotations

import zipfile
from pathlib import Path

import fsspec
import pandas as pd

from lineageql import Client, load_artifact, register_artifact, save_artifact
from tests.test_sdk import numbers_pipeline


def test_pipelines_save_and_load_outputs_in_gcs(gcs_sdk_env: str) -> None:
    first = numbers_pipeline()
    second = numbers_pipeline()
    assert [s.status.value for s in second.steps.values()] == ["cached", "cached"]
    assert second.status.value == "cached"
    features = first.steps["load_numbers"].outputs["features"]
    assert features.uri.startswith(gcs_sdk_env + "/features/")
    frame = features.load()
    assert isinstance(frame, pd.DataFrame) and frame["square"].tolist() == [0, 1, 4, 9, 16]
    assert features.run_metadata["storage_size"].value > 0
    [table] = features.visualizations
    with fsspec.open(table["uri"], "rb", token="anon") as handle:
        assert b"<table" in handle.read()
    assert second.steps["fit"].outputs["model"].load() == {"weight": 10.0, "rows": 5}


def test_save_register_download_and_prune_in_gcs(gcs_sdk_env: str, tmp_path: Path) -> None:
    saved = save_artifact([1, 2, 3], "numbers")
    assert saved.uri.startswith(gcs_sdk_env) and load_artifact("numbers") == [1, 2, 3]

    fs = fsspec.filesystem("gs", token="anon")
    folder = f"{gcs_sdk_env}/checkpoints/epoch_1"
    fs.pipe(f"{folder}/weights.bin", b"\x00\x01\x02")
    fs.pipe(f"{folder}/nested/config.json", b"{}")
    registered = register_artifact(folder, "checkpoint")
    local = load_artifact("checkpoint")
    assert isinstance(local, Path) and (local / "weights.bin").read_bytes() == b"\x00\x01\x02"
    assert (local / "nested" / "config.json").read_text() == "{}"

    archive = registered.download_files(tmp_path / "checkpoint.zip")
    with zipfile.ZipFile(archive) as opened:
        assert sorted(opened.namelist()) == ["nested/config.json", "weights.bin"]

    result = Client().prune_artifacts()
    assert sorted(result["deletedVersionIds"]) == sorted([saved.id, registered.id])
    assert not fs.exists(saved.uri) and not fs.exists(folder)
