"""``@pipeline``: a function that wires steps together; calling it runs them and returns
the run."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import yaml

from lineageql.client import Client, PipelineView, RunView
from lineageql.errors import BadInputError
from lineageql.sdk.composition import composing
from lineageql.sdk.model import Model
from lineageql.sdk.runner import RunPlan, run_composition

PIPELINE_KEYS = {"enable_cache", "parameters", "settings", "tags", "run_name", "steps"}
STEP_KEYS = {"enable_cache", "parameters", "settings", "substitutions", "outputs"}


@dataclass(frozen=True)
class PipelineOptions:
    enable_cache: bool = True
    settings: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    run_name: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    model: Model | None = None


class PipelineFunction:
    """A decorated pipeline. Call it to run it; ``.model`` is its stored pipeline."""

    def __init__(self, function: Callable[..., Any], options: PipelineOptions | None = None):
        self.function = function
        self.name: str = function.__name__
        self.docstring = inspect.getdoc(function)
        self.options = options or PipelineOptions()

    def __repr__(self) -> str:
        return f"<pipeline {self.name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> RunView:
        """Run the pipeline in this process; returns the finished run."""
        signature = inspect.signature(self.function)
        try:
            bound = signature.bind(*args, **{**self.options.parameters, **kwargs})
        except TypeError as error:
            raise BadInputError(f"pipeline {self.name!r}: {error}") from error
        bound.apply_defaults()
        with composing() as composition:
            self.function(*bound.args, **bound.kwargs)
        if not composition.invocations:
            raise BadInputError(f"pipeline {self.name!r} calls no step")
        plan = RunPlan(
            pipeline_name=self.name,
            parameters=dict(bound.arguments),
            enable_cache=self.options.enable_cache,
            settings=self.options.settings,
            tags=list(self.options.tags),
            run_name=self.options.run_name,
            docstring=self.docstring,
            source_file=inspect.getsourcefile(self.function),
            step_overrides=self.options.steps,
            model=self.options.model,
        )
        return run_composition(Client(), plan, composition)

    def with_options(
        self,
        *,
        config_path: str | Path | None = None,
        enable_cache: bool | None = None,
        settings: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        run_name: str | None = None,
        model: Model | None = None,
    ) -> PipelineFunction:
        """A copy with options changed; a YAML ``config_path`` first, then the arguments."""
        options = self.options
        if config_path is not None:
            options = _from_yaml(options, Path(config_path))
        options = dataclasses.replace(
            options,
            enable_cache=options.enable_cache if enable_cache is None else enable_cache,
            settings={**options.settings, **(settings or {})},
            tags=options.tags + tuple(tags or ()),
            run_name=run_name or options.run_name,
            model=model or options.model,
        )
        return PipelineFunction(self.function, options)

    @property
    def model(self) -> PipelineView:
        """This pipeline as stored: its runs, last run, versions."""
        return Client().get_pipeline(self.name)

    def get_runs(self, size: int = 100) -> list[RunView]:
        """Its runs, newest first."""
        return self.model.get_runs(size=size)


def _from_yaml(options: PipelineOptions, path: Path) -> PipelineOptions:
    try:
        loaded = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise BadInputError(f"cannot read the configuration {str(path)!r}: {error}") from error
    if not isinstance(loaded, dict):
        raise BadInputError(f"{path} must hold a mapping of options")
    unknown = set(loaded) - PIPELINE_KEYS
    if unknown:
        raise BadInputError(
            f"{path}: unknown keys {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(PIPELINE_KEYS))}"
        )
    steps = dict(options.steps)
    for invocation, step_options in (loaded.get("steps") or {}).items():
        bad = set(step_options or {}) - STEP_KEYS
        if bad:
            raise BadInputError(
                f"{path}: step {invocation!r} has unknown keys {', '.join(sorted(bad))}; "
                f"allowed: {', '.join(sorted(STEP_KEYS))}"
            )
        steps[invocation] = {**steps.get(invocation, {}), **(step_options or {})}
    return dataclasses.replace(
        options,
        enable_cache=loaded.get("enable_cache", options.enable_cache),
        parameters={**options.parameters, **(loaded.get("parameters") or {})},
        settings={**options.settings, **(loaded.get("settings") or {})},
        tags=options.tags + tuple(loaded.get("tags") or ()),
        run_name=loaded.get("run_name", options.run_name),
        steps=steps,
    )


@overload
def pipeline(function: Callable[..., Any], /) -> PipelineFunction: ...


@overload
def pipeline(
    *,
    enable_cache: bool = True,
    settings: dict[str, Any] | None = None,
    tags: list[str] | None = None,
    model: Model | None = None,
) -> Callable[[Callable[..., Any]], PipelineFunction]: ...


def pipeline(
    function: Callable[..., Any] | None = None,
    /,
    *,
    enable_cache: bool = True,
    settings: dict[str, Any] | None = None,
    tags: list[str] | None = None,
    model: Model | None = None,
) -> PipelineFunction | Callable[[Callable[..., Any]], PipelineFunction]:
    """Make ``function`` a pipeline; ``@pipeline`` or ``@pipeline(enable_cache=False, ...)``;
    ``model=Model(name=...)`` makes each run's outputs a version of that model."""
    options = PipelineOptions(
        enable_cache=enable_cache, settings=settings or {}, tags=tuple(tags or ()), model=model
    )
    if function is not None:
        return PipelineFunction(function, options)
    return lambda decorated: PipelineFunction(decorated, options)
