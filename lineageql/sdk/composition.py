"""Composing a pipeline: calling the pipeline function records step invocations and the
wiring between them, and checks every argument before anything runs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lineageql.client.views import ArtifactVersionView, StepOutput
from lineageql.errors import BadInputError
from lineageql.sdk.artifact_config import ExternalArtifact

if TYPE_CHECKING:
    from lineageql.sdk.steps import StepFunction


@dataclass(frozen=True)
class OutputHandle:
    """A step output that will exist once its step has run."""

    invocation_id: str
    output_name: str


ArtifactInput = OutputHandle | ExternalArtifact | ArtifactVersionView


@dataclass
class StepInvocation:
    """One call of a step in the pipeline: its artifact inputs, parameters and order."""

    id: str
    step: StepFunction
    artifacts: dict[str, ArtifactInput]
    parameters: dict[str, Any]
    after: list[str] = field(default_factory=list)

    def upstream(self) -> set[str]:
        """Invocation ids that must run before this one."""
        found = {a.invocation_id for a in self.artifacts.values() if isinstance(a, OutputHandle)}
        return found | set(self.after)

    def wiring(self) -> dict[str, Any]:
        """What this invocation's place in the pipeline structure is."""
        inputs = {}
        for name, artifact in sorted(self.artifacts.items()):
            if isinstance(artifact, OutputHandle):
                inputs[name] = f"{artifact.invocation_id}.{artifact.output_name}"
            elif isinstance(artifact, ExternalArtifact):
                inputs[name] = "external"
            else:
                inputs[name] = f"version:{artifact.id}"
        return {
            "id": self.id,
            "step": self.step.name,
            "source": self.step.source_hash,
            "inputs": inputs,
            "after": sorted(self.after),
        }


class Composition:
    """The invocations a pipeline function made, in call order (which is a valid run order)."""

    def __init__(self) -> None:
        self.invocations: dict[str, StepInvocation] = {}

    def add(
        self,
        step: StepFunction,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        invocation_id: str | None,
        after: Any,
    ) -> Any:
        try:
            bound = step.signature.bind_partial(*args, **kwargs)
        except TypeError as error:
            raise BadInputError(f"step {step.name!r}: {error}") from error
        given = {**step.options.parameters, **bound.arguments}
        artifacts: dict[str, ArtifactInput] = {}
        parameters: dict[str, Any] = {}
        for name, parameter in step.signature.parameters.items():
            if name in given:
                value = given[name]
            elif parameter.default is not parameter.empty:
                value = parameter.default
            else:
                raise BadInputError(f"step {step.name!r} is missing its input {name!r}")
            if isinstance(value, StepOutput) and len(value) == 1:
                value = value[0]
            if isinstance(value, OutputHandle) and value.invocation_id not in self.invocations:
                raise BadInputError(
                    f"step {step.name!r}: the input {name!r} comes from another pipeline"
                )
            if isinstance(value, OutputHandle | ExternalArtifact | ArtifactVersionView):
                artifacts[name] = value
            else:
                parameters[name] = _json_parameter(step.name, name, value)
        invocation = StepInvocation(
            id=self._new_id(step, invocation_id),
            step=step,
            artifacts=artifacts,
            parameters=parameters,
            after=self._after(after),
        )
        self.invocations[invocation.id] = invocation
        handles = [OutputHandle(invocation.id, spec.name) for spec in step.outputs]
        if not handles:
            return None
        return handles[0] if len(handles) == 1 else tuple(handles)

    def structure_hash(self) -> str:
        """A hash of the steps, their code and their wiring (not of parameter values)."""
        shape = [invocation.wiring() for invocation in self.invocations.values()]
        return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()

    def _new_id(self, step: StepFunction, wanted: str | None) -> str:
        if wanted is not None:
            if wanted in self.invocations:
                raise BadInputError(f"the invocation id {wanted!r} is used twice in this pipeline")
            return wanted
        candidate, number = step.name, 1
        while candidate in self.invocations:
            number += 1
            candidate = f"{step.name}_{number}"
        return candidate

    def _after(self, after: Any) -> list[str]:
        items = after if isinstance(after, list | tuple) else [after] if after is not None else []
        ids = []
        for item in items:
            invocation_id = item.invocation_id if isinstance(item, OutputHandle) else item
            if invocation_id not in self.invocations:
                raise BadInputError(f"after={item!r} names no step invoked before it")
            ids.append(invocation_id)
        return ids


def _json_parameter(step: str, name: str, value: Any) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise BadInputError(
            f"step {step!r}: the parameter {name!r} is a {type(value).__name__}, which is not "
            "JSON-serialisable; pass it as an artifact (the output of a step, or an "
            "ExternalArtifact) instead"
        ) from error
    return value


_current: ContextVar[Composition | None] = ContextVar("lineageql_composition", default=None)


def current_composition() -> Composition | None:
    return _current.get()


@contextmanager
def composing() -> Iterator[Composition]:
    """Collect the step calls made inside this block."""
    composition = Composition()
    token = _current.set(composition)
    try:
        yield composition
    finally:
        _current.reset(token)
