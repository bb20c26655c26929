"""Reading a step function's signature: its outputs (names, types, configs) and checking
values against annotations."""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Union, get_args, get_origin

from lineageql.errors import BadInputError
from lineageql.sdk.artifact_config import ArtifactConfig

SINGLE_OUTPUT = "output"


@dataclass(frozen=True)
class OutputSpec:
    """One output of a step: its name, annotated type, and artifact options."""

    name: str
    type: Any
    config: ArtifactConfig
    named: bool
    """Whether the user named it (else its artifact is named after pipeline and step)."""


def output_specs(func: Callable[..., Any]) -> list[OutputSpec]:
    """The outputs ``func``'s return annotation declares."""
    hints = typing.get_type_hints(func, include_extras=True)
    if "return" not in hints:
        return [OutputSpec(SINGLE_OUTPUT, Any, ArtifactConfig(), named=False)]
    annotation = hints["return"]
    if annotation is type(None):
        return []
    if _is_tuple(annotation):
        elements = get_args(annotation)
        if elements and elements[-1] is not Ellipsis:
            return [_spec(element, f"output_{i}") for i, element in enumerate(elements)]
    return [_spec(annotation, SINGLE_OUTPUT)]


def _spec(annotation: Any, default_name: str) -> OutputSpec:
    if get_origin(annotation) is Annotated:
        base, *extras = get_args(annotation)
        for extra in extras:
            if isinstance(extra, str):
                return OutputSpec(extra, base, ArtifactConfig(name=extra), named=True)
            if isinstance(extra, ArtifactConfig):
                name = extra.name or default_name
                return OutputSpec(name, base, extra, named=extra.name is not None)
        annotation = base
    return OutputSpec(default_name, annotation, ArtifactConfig(), named=False)


def _is_tuple(annotation: Any) -> bool:
    return get_origin(annotation) is tuple


def input_types(func: Callable[..., Any]) -> dict[str, Any]:
    """Each parameter's annotation (``Any`` where there is none), Annotated stripped."""
    hints = typing.get_type_hints(func, include_extras=True)
    found = {}
    for name in inspect.signature(func).parameters:
        annotation = hints.get(name, Any)
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        found[name] = annotation
    return found


def matches(value: Any, annotation: Any) -> bool:
    """Whether ``value`` fits ``annotation`` as far as a runtime check can tell."""
    if annotation is Any or annotation is object:
        return True
    if annotation is None or annotation is type(None):
        return value is None
    origin = get_origin(annotation)
    if origin is Annotated:
        return matches(value, get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return any(matches(value, option) for option in get_args(annotation))
    if origin is typing.Literal:
        return value in get_args(annotation)
    target = origin or annotation
    if not isinstance(target, type):
        return True
    if target is float and isinstance(value, int) and not isinstance(value, bool):
        return True
    return isinstance(value, target)


def type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__qualname__
    return str(annotation).replace("typing.", "")


def substitute(template: str, substitutions: dict[str, str], started: datetime) -> str:
    """``template`` with ``{date}``, ``{time}`` and custom placeholders filled in."""
    values = {
        "date": started.astimezone(UTC).strftime("%Y_%m_%d"),
        "time": started.astimezone(UTC).strftime("%H_%M_%S_%f"),
        **substitutions,
    }
    try:
        return template.format_map(values)
    except KeyError as error:
        raise BadInputError(
            f"the name {template!r} uses the placeholder {error.args[0]!r}, which has no value; "
            "give it with `.with_options(substitutions={...})`"
        ) from error
    except (ValueError, IndexError):
        return template
