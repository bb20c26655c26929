"""``@step``: a function whose outputs become artifact versions when a pipeline runs it.

Called inside a ``@pipeline`` function, a step does not run: it records an invocation and
returns handles to its future outputs, which later steps take as inputs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, overload

from lineageql.sdk.artifact_config import ArtifactConfig
from lineageql.sdk.composition import current_composition
from lineageql.sdk.signatures import OutputSpec, output_specs


@dataclass(frozen=True)
class StepOptions:
    """What ``@step(...)`` and ``with_options(...)`` set."""

    enable_cache: bool | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    substitutions: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, ArtifactConfig] = field(default_factory=dict)


class StepFunction:
    """A decorated step. Call it inside a pipeline; call ``.entrypoint`` to run it plainly."""

    def __init__(self, entrypoint: Callable[..., Any], options: StepOptions | None = None) -> None:
        self.entrypoint = entrypoint
        self.name: str = entrypoint.__name__
        self.docstring = inspect.getdoc(entrypoint)
        self.options = options or StepOptions()
        self.signature = inspect.signature(entrypoint)
        self.outputs: list[OutputSpec] = output_specs(entrypoint)
        self.source_hash = _source_hash(entrypoint)

    def __repr__(self) -> str:
        return f"<step {self.name}>"

    def __call__(self, *args: Any, id: str | None = None, after: Any = None, **kwargs: Any) -> Any:
        composition = current_composition()
        if composition is None:
            return self.entrypoint(*args, **kwargs)
        return composition.add(self, args, kwargs, id, after)

    def with_options(
        self,
        *,
        enable_cache: bool | None = None,
        settings: dict[str, Any] | None = None,
        substitutions: dict[str, str] | None = None,
        parameters: dict[str, Any] | None = None,
        outputs: dict[str, ArtifactConfig] | None = None,
    ) -> StepFunction:
        """A copy of this step with some options changed (the original is untouched)."""
        current = self.options
        options = dataclasses.replace(
            current,
            enable_cache=current.enable_cache if enable_cache is None else enable_cache,
            settings={**current.settings, **(settings or {})},
            substitutions={**current.substitutions, **(substitutions or {})},
            parameters={**current.parameters, **(parameters or {})},
            outputs={**current.outputs, **(outputs or {})},
        )
        return StepFunction(self.entrypoint, options)


def _source_hash(function: Callable[..., Any]) -> str:
    """A hash of the function's source code (its bytecode where the source is not at hand)."""
    try:
        text = inspect.getsource(function).encode()
    except (OSError, TypeError):
        text = function.__code__.co_code
    return hashlib.sha256(text).hexdigest()


@overload
def step(function: Callable[..., Any], /) -> StepFunction: ...


@overload
def step(
    *,
    enable_cache: bool | None = None,
    settings: dict[str, Any] | None = None,
    substitutions: dict[str, str] | None = None,
) -> Callable[[Callable[..., Any]], StepFunction]: ...


def step(
    function: Callable[..., Any] | None = None,
    /,
    *,
    enable_cache: bool | None = None,
    settings: dict[str, Any] | None = None,
    substitutions: dict[str, str] | None = None,
) -> StepFunction | Callable[[Callable[..., Any]], StepFunction]:
    """Make ``function`` a step; ``@step`` or ``@step(enable_cache=False, ...)``."""
    options = StepOptions(
        enable_cache=enable_cache, settings=settings or {}, substitutions=substitutions or {}
    )
    if function is not None:
        return StepFunction(function, options)
    return lambda decorated: StepFunction(decorated, options)
