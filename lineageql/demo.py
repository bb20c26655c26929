"""The demo: the iris training pipeline of the seeds, recorded through the SDK.

A data loader splits iris into four frames; an SVC trainer fits on two of them. The demo runs
it with a few gammas, once with an invalid gamma (a failing run) and once more with a gamma
already used (a cached run). Each run makes a version of the model ``iris_classifier``; the
version with the best training accuracy is promoted to production.
"""

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from lineageql.client import Client, ModelVersionView, RunView
from lineageql.errors import LineageError
from lineageql.sdk import (
    ArtifactConfig,
    Model,
    PipelineFunction,
    get_step_context,
    log_metadata,
    pipeline,
    step,
)

PIPELINE = "training_pipeline"
MODEL = "iris_classifier"
GAMMAS = (0.001, 0.005, 0.01)
FAILING_GAMMA = -1.0

WALK_QUERY = """{
  pipeline(name: "training_pipeline") {
    runCount
    lastRun {
      name status
      steps {
        name status
        outputs { name artifactVersion { name version upstream(depth: 3) { name version } } }
      }
    }
  }
}"""


@dataclass
class DemoResult:
    runs: list[RunView] = field(default_factory=list)
    failure: str | None = None
    production: ModelVersionView | None = None


def build_pipeline() -> PipelineFunction:
    """The iris pipeline; scikit-learn and pandas are imported only when it is built."""
    try:
        import pandas as pd
        from sklearn.base import ClassifierMixin
        from sklearn.datasets import load_iris
        from sklearn.model_selection import train_test_split
        from sklearn.svm import SVC
    except ImportError as error:
        raise LineageError(
            f"the demo needs the ml extra ({error.name} is missing): "
            "pip install -e '.[ml]' (or pip install 'lineageql[ml]')"
        ) from error

    @step
    def training_data_loader() -> tuple[
        Annotated[pd.DataFrame, "X_train"],
        Annotated[pd.DataFrame, "X_test"],
        Annotated[pd.Series, "y_train"],
        Annotated[pd.Series, "y_test"],
    ]:
        """Load the iris dataset as frames and series, split for training and testing."""
        iris = load_iris(as_frame=True)
        x_train, x_test, y_train, y_test = train_test_split(
            iris.data, iris.target, test_size=0.2, shuffle=True, random_state=42
        )
        return x_train, x_test, y_train, y_test

    @step
    def svc_trainer(
        X_train: pd.DataFrame,
        y_train: pd.Series,
        gamma: float = 0.001,
    ) -> tuple[
        Annotated[ClassifierMixin, ArtifactConfig(name="trained_model", is_model_artifact=True)],
        Annotated[float, "training_acc"],
    ]:
        """Train an SVC classifier and report its training accuracy."""
        model = SVC(gamma=gamma)
        model.fit(X_train.to_numpy(), y_train.to_numpy())
        accuracy = float(model.score(X_train.to_numpy(), y_train.to_numpy()))
        log_metadata({"training_acc": accuracy, "gamma": gamma})
        get_step_context().model.log_metadata({"training_acc": accuracy, "gamma": gamma})
        return model, accuracy

    @pipeline(
        model=Model(
            name=MODEL,
            description="An SVC telling iris species apart by their petals and sepals.",
            license="BSD-3-Clause",
            use_cases="The seeds' walk-through: train, compare, promote.",
        )
    )
    def training_pipeline(gamma: float = 0.002) -> None:
        """Load iris and train an SVC on it."""
        x_train, _, y_train, _ = training_data_loader()
        svc_trainer(gamma=gamma, X_train=x_train, y_train=y_train)

    return training_pipeline


def is_intended_failure(error: ValueError) -> bool:
    """Whether ``error`` is scikit-learn refusing the invalid gamma, the failure the demo
    shows on purpose; any other failure is a real one and stops the demo."""
    return "'gamma' parameter of SVC" in str(error)


def record_demo(report: Callable[[str], Any] = print) -> DemoResult:
    """Run the demo pipeline: one run per gamma, a failing run, then a cached one."""
    training = build_pipeline()
    result = DemoResult()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*stored as a pickle.*")
        for gamma in GAMMAS:
            run = training(gamma=gamma)
            result.runs.append(run)
            report(f"  {run.name}  gamma={gamma}  {run.status.value}")
        try:
            training(gamma=FAILING_GAMMA)
        except ValueError as error:
            if not is_intended_failure(error):
                raise
            result.failure = f"{type(error).__name__}: {error}"
            report(f"  a run with gamma={FAILING_GAMMA} failed, as intended: {result.failure}")
        cached = training(gamma=GAMMAS[-1])
        result.runs.append(cached)
        report(f"  {cached.name}  gamma={GAMMAS[-1]}  {cached.status.value} (every step reused)")
    result.production = promote_best(Client())
    accuracy = result.production.metadata["training_acc"]
    report(
        f"  {MODEL} version {result.production.name} (training_acc={accuracy:.3f}) "
        "promoted to production"
    )
    return result


def promote_best(client: Client) -> ModelVersionView:
    """Move the version of the demo's model with the best training accuracy to production
    (the newest of equals), archiving the one there before."""
    trained = [v for v in client.list_model_versions(MODEL) if "training_acc" in v.metadata]
    best = max(trained, key=lambda v: (v.metadata["training_acc"], v.number))
    return best.set_stage("production", force=True)
