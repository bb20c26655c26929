"""Materializers on a local and an emulated GCS artifact store: values come back equal, with
the metadata and visualizations users look for."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from lineageql import Materializer, register_materializer
from lineageql.artifacts import ArtifactStore
from lineageql.artifacts.materializers import materializer_for
from lineageql.artifacts.values import load_value, save_value
from lineageql.errors import BadInputError, NotFoundError
from tests.gcs_emulator import BUCKET


@pytest.fixture(params=["local", "gcs"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArtifactStore]:
    if request.param == "gcs":
        request.getfixturevalue("gcs_emulator")
        yield ArtifactStore(f"gs://{BUCKET}/{uuid.uuid4().hex}")
    else:
        yield ArtifactStore(str(tmp_path / "artifacts"))


def roundtrip(store: ArtifactStore, value: Any) -> tuple[Any, dict[str, Any]]:
    saved = save_value(store, value, "thing")
    return load_value(store, saved.uri, saved.materializer, saved.data_type), saved.metadata


@pytest.mark.parametrize(
    "value",
    [
        7,
        2.5,
        True,
        None,
        "text with ünïcode",
        b"\x00\xffbytes",
        {"a": [1, 2, {"b": None}]},
        [1, "two", 3.0],
        (1, 2, 3),
        {3, 1, 2},
        {1: "int keys"},
        [(1, 2)],
    ],
)
def test_builtin_values_come_back_equal(store: ArtifactStore, value: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded, metadata = roundtrip(store, value)
    assert loaded == value and type(loaded) is type(value)
    assert metadata["storage_size"] > 0


def test_frames_series_and_arrays(store: ArtifactStore) -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "label": ["a", "b", "c"]})
    loaded, metadata = roundtrip(store, frame)
    pd.testing.assert_frame_equal(loaded, frame)
    assert metadata["shape"] == [3, 2]
    # Exactly the dtypes pandas gives (the text column is "object" or "str" by version).
    assert metadata["columns"] == {"x": "float64", "label": str(frame.dtypes["label"])}
    assert metadata["statistics"]["x"] == {"min": 1.0, "max": 3.0, "mean": 2.0, "std": 1.0}

    series = pd.Series([1, 2, 3], name="counts")
    loaded_series, _ = roundtrip(store, series)
    pd.testing.assert_series_equal(loaded_series, series)

    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    loaded_array, metadata = roundtrip(store, array)
    assert np.array_equal(loaded_array, array) and loaded_array.dtype == np.float32
    assert metadata["shape"] == [3, 4] and metadata["dtype"] == "float32"
    assert metadata["min"] == 0.0 and metadata["max"] == 11.0


def test_paths_and_pickles(store: ArtifactStore, tmp_path: Path) -> None:
    folder = tmp_path / "model_dir"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "w.bin").write_bytes(b"123")
    loaded, metadata = roundtrip(store, folder)
    assert isinstance(loaded, Path) and loaded != folder
    assert (loaded / "sub" / "w.bin").read_bytes() == b"123"
    assert metadata["storage_size"] == 3

    single = tmp_path / "notes.txt"
    single.write_text("hello")
    loaded_file, _ = roundtrip(store, single)
    assert loaded_file.read_text() == "hello"

    with pytest.warns(UserWarning, match="stored as a pickle"):
        saved = save_value(store, Point(1, 2), "point")
    assert load_value(store, saved.uri, saved.materializer, saved.data_type) == Point(1, 2)


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self) -> int:
        return hash((self.x, self.y))


class PointMaterializer(Materializer):
    handles = (Point,)
    artifact_type = "geometry"

    def save(self, value: Any) -> None:
        self.write_bytes("point.txt", f"{value.x},{value.y}".encode())

    def load(self, data_type: type) -> Any:
        x, y = self.read_bytes("point.txt").decode().split(",")
        return Point(int(x), int(y))

    def metadata(self, value: Any) -> dict[str, Any]:
        return {"norm": (value.x**2 + value.y**2) ** 0.5}


def test_a_registered_materializer_wins_and_records_its_metadata(store: ArtifactStore) -> None:
    register_materializer(PointMaterializer)
    try:
        saved = save_value(store, Point(3, 4), "point")
        assert saved.artifact_type == "geometry" and saved.metadata["norm"] == 5.0
        assert load_value(store, saved.uri, saved.materializer, saved.data_type) == Point(3, 4)
    finally:
        register_materializer(materializer_for(object), Point)


def test_missing_files_and_unknown_materializers_are_clear_errors(store: ArtifactStore) -> None:
    saved = save_value(store, [1], "gone")
    store.remove(saved.uri)
    with pytest.raises(NotFoundError, match="gone from"):
        load_value(store, saved.uri, saved.materializer, saved.data_type)
    saved = save_value(store, [1], "odd")
    with pytest.raises(BadInputError, match=r"needs the materializer 'nowhere\.Nothing'"):
        load_value(store, saved.uri, "nowhere.Nothing", saved.data_type)
    # A class that is not a lineageql materializer is never handed the files.
    with pytest.raises(BadInputError, match=r"needs the materializer 'pathlib\.Path'"):
        load_value(store, saved.uri, "pathlib.Path", saved.data_type)
