"""What a running step can ask about itself: ``get_step_context()``."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lineageql.errors import LineageError

if TYPE_CHECKING:
    from lineageql.client import ArtifactVersionView, Client, ModelVersionView, RunView
    from lineageql.sdk.signatures import OutputSpec


@dataclass
class StepRunInfo:
    """The step being run: its id, invocation id and function name."""

    name: str
    step_name: str
    recorded_id: Callable[[], str] = field(repr=False)
    """The step's id, recording the step as running first if it was not yet."""

    @property
    def id(self) -> str:
        return self.recorded_id()


@dataclass
class StepContext:
    """The current run and step, its pipeline's model version, metadata logged for the
    step's outputs, and the artifact versions the step loaded while running."""

    client: Client
    pipeline_run: RunView
    step_run: StepRunInfo
    outputs: list[OutputSpec]
    model_version: ModelVersionView | None = None
    output_metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    loaded: dict[str, str] = field(default_factory=dict)
    """Input name to the id of each version the step loaded (``load_artifact``)."""

    @property
    def model(self) -> ModelVersionView:
        """The model version of this run (``@pipeline(model=...)``); loading its artifacts
        here links them as the step's inputs."""
        if self.model_version is None:
            raise LineageError(
                f"step {self.step_run.name!r} runs in a pipeline without a model; "
                "give one with @pipeline(model=Model(name=...))"
            )
        return self.model_version.with_loader(self.record_load)

    def record_load(self, version: ArtifactVersionView) -> None:
        """Link ``version`` as an input of this step (named after its artifact)."""
        if version.id in self.loaded.values():
            return
        name, count = version.name, 1
        while name in self.loaded:
            count += 1
            name = f"{version.name}#{count}"
        self.loaded[name] = version.id

    @property
    def pipeline_name(self) -> str:
        return self.pipeline_run.pipeline_name

    def add_output_metadata(self, metadata: dict[str, Any], output_name: str | None) -> None:
        """Remember ``metadata`` for an output (the only one when no name is given)."""
        names = [spec.name for spec in self.outputs]
        if output_name is None:
            if len(names) != 1:
                raise LineageError(
                    f"step {self.step_run.name!r} has {len(names)} outputs ({', '.join(names)}); "
                    "say which one with artifact_name="
                )
            output_name = names[0]
        if output_name not in names:
            raise LineageError(
                f"step {self.step_run.name!r} has no output {output_name!r}; "
                f"its outputs are {', '.join(names) or 'none'}"
            )
        self.output_metadata.setdefault(output_name, {}).update(metadata)


_current: ContextVar[StepContext | None] = ContextVar("lineageql_step_context", default=None)


def get_step_context() -> StepContext:
    """The context of the step running now; an error outside a step."""
    context = _current.get()
    if context is None:
        raise LineageError("get_step_context() works only inside a running step")
    return context


def current_step_context() -> StepContext | None:
    return _current.get()


def enter_step(context: StepContext) -> Any:
    return _current.set(context)


def leave_step(token: Any) -> None:
    _current.reset(token)
