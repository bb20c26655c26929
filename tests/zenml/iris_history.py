"""A ZenML history, recorded by ZenML itself (run with the ZenML environment's Python).

The seeds' iris pipeline (a data loader with four outputs, an SVC trainer) with three gammas,
one failing run and one fully cached run; then an artifact saved outside any pipeline with
metadata and tags, and a NumPy array. Each training run makes a version of the model
``iris_classifier``; versions 2 and 3 go to staging and production. ``--later`` records
one more run (for the incremental import); ``--chain N`` records the peer workload instead:
N runs of a 10-step chain.
"""

from __future__ import annotations

import argparse
from typing import Annotated

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC
from zenml import Model, log_metadata, pipeline, save_artifact, step
from zenml.client import Client


@step
def training_data_loader() -> tuple[
    Annotated[pd.DataFrame, "X_train"],
    Annotated[pd.DataFrame, "X_test"],
    Annotated[pd.Series, "y_train"],
    Annotated[pd.Series, "y_test"],
]:
    """Iris, split for training and testing."""
    iris = load_iris(as_frame=True)
    x_train, x_test, y_train, y_test = train_test_split(
        iris.data, iris.target, test_size=0.2, shuffle=True, random_state=42
    )
    return x_train, x_test, y_train, y_test


@step
def svc_trainer(
    X_train: pd.DataFrame, y_train: pd.Series, gamma: float = 0.001
) -> tuple[Annotated[ClassifierMixin, "trained_model"], Annotated[float, "training_acc"]]:
    """An SVC and its training accuracy."""
    model = SVC(gamma=gamma)
    model.fit(X_train.to_numpy(), y_train.to_numpy())
    accuracy = float(model.score(X_train.to_numpy(), y_train.to_numpy()))
    log_metadata(metadata={"training_acc": accuracy, "gamma": gamma, "kernel": "rbf"})
    return model, accuracy


@pipeline(model=Model(name="iris_classifier", license="BSD-3-Clause"))
def training_pipeline(gamma: float = 0.002) -> None:
    x_train, _, y_train, _ = training_data_loader()
    svc_trainer(gamma=gamma, X_train=x_train, y_train=y_train)


@step
def chain_start(seed: int) -> Annotated[list, "values"]:
    return [seed, seed + 1]


@step
def chain_link(values: list, offset: int) -> Annotated[list, "values"]:
    return [v + offset for v in values]


def chain(runs: int) -> None:
    @pipeline(enable_cache=False)
    def chain_pipeline(seed: int = 0) -> None:
        values = chain_start(seed=seed)
        for offset in range(1, 10):
            values = chain_link(values, offset=offset, id=f"link_{offset}")

    for seed in range(runs):
        chain_pipeline(seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--later", action="store_true")
    parser.add_argument("--chain", type=int, default=0)
    args = parser.parse_args()
    if args.chain:
        chain(args.chain)
        return
    if args.later:
        training_pipeline(gamma=0.02)
        return
    for gamma in (0.001, 0.005, 0.01):
        training_pipeline(gamma=gamma)
    try:
        training_pipeline(gamma=-1.0)
    except Exception as error:  # the intended failure: SVC refuses a negative gamma
        print(f"failed as intended: {type(error).__name__}")
    training_pipeline(gamma=0.01)
    save_artifact(
        [1, 2, 3],
        name="manual_numbers",
        tags=["hand-made", "notebook"],
        user_metadata={"source": "notebook", "rows": 3, "ratio": 0.5},
    )
    save_artifact(np.arange(6, dtype=np.int64).reshape(2, 3), name="grid")
    Client().get_model_version("iris_classifier", 2).set_stage("staging")
    Client().get_model_version("iris_classifier", 3).set_stage("production")


if __name__ == "__main__":
    main()
