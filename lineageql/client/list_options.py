"""ZenML's listing spellings turned into the API's filter, order and paging variables.

``sort_by="desc:created"``, ``page``/``size``, and filter strings with an operator prefix
(``created="gte:2026-01-01"``, ``name="startswith:train"``, ``status="failed"``). Anything
else is a BadInputError that lists the accepted forms, so a script never meets a raw GraphQL
validation error.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from lineageql.errors import BadInputError

MAX_PAGE_SIZE = 100
_SORT_FORMS = "'FIELD', 'asc:FIELD' or 'desc:FIELD'"
_NAME_FORMS = "'NAME', 'equals:NAME', 'startswith:PREFIX' or 'contains:TEXT'"
_TIME_FORMS = (
    "'gt:TIME', 'gte:TIME', 'lt:TIME' or 'lte:TIME' (TIME in ISO 8601, e.g. 2026-01-31 or "
    "2026-01-31T12:00:00), or a datetime"
)
_ONE_MICROSECOND = timedelta(microseconds=1)


def order_by(sort_by: str, fields: tuple[str, ...], default_desc: bool = True) -> dict[str, str]:
    """The order variable for ``"created"``, ``"asc:name"`` or ``"desc:created"``."""
    direction = "DESC" if default_desc else "ASC"
    field = sort_by
    if ":" in sort_by:
        prefix, field = sort_by.split(":", 1)
        if prefix.lower() not in ("asc", "desc"):
            raise BadInputError(f"{sort_by!r} is not a sort order; use {_SORT_FORMS}", "sort_by")
        direction = prefix.upper()
    if field.lower() not in fields:
        raise BadInputError(
            f"cannot sort by {field!r}; sortable fields are {', '.join(fields)} (as {_SORT_FORMS})",
            "sort_by",
        )
    return {"field": field.upper(), "direction": direction}


def name_filter(value: str | None) -> dict[str, str]:
    """Filter fields for a ZenML name filter: exact, ``startswith:`` or ``contains:``."""
    if value is None:
        return {}
    operator, _, operand = value.partition(":")
    spellings = {"equals": "name", "startswith": "nameStartsWith", "contains": "nameContains"}
    if operand and operator in spellings:
        return {spellings[operator]: operand}
    if operand and operator in ("endswith", "notequals", "in", "oneof", "gt", "gte", "lt", "lte"):
        raise BadInputError(f"{value!r} uses an unsupported operator; use {_NAME_FORMS}", "name")
    return {"name": value}


def created_filter(value: str | datetime | None) -> dict[str, str]:
    """``createdAfter``/``createdBefore`` for ``gt:``, ``gte:``, ``lt:``, ``lte:`` or a datetime
    (runs created at exactly that moment)."""
    if value is None:
        return {}
    if isinstance(value, datetime):
        moment = as_utc(value)
        return {
            "createdAfter": (moment - _ONE_MICROSECOND).isoformat(),
            "createdBefore": (moment + _ONE_MICROSECOND).isoformat(),
        }
    operator, _, operand = value.partition(":")
    if operator not in ("gt", "gte", "lt", "lte") or not operand:
        raise BadInputError(f"{value!r} is not a time filter; use {_TIME_FORMS}", "created")
    try:
        moment = as_utc(datetime.fromisoformat(operand))
    except ValueError as error:
        raise BadInputError(f"{operand!r} is not a time; use {_TIME_FORMS}", "created") from error
    # Stored times have microsecond precision, so "at or after t" is "after t - 1 µs".
    if operator == "gt":
        return {"createdAfter": moment.isoformat()}
    if operator == "gte":
        return {"createdAfter": (moment - _ONE_MICROSECOND).isoformat()}
    if operator == "lt":
        return {"createdBefore": moment.isoformat()}
    return {"createdBefore": (moment + _ONE_MICROSECOND).isoformat()}


def status_value(value: str) -> str:
    """The status of ``"failed"`` or ``"equals:failed"``."""
    operator, _, operand = value.partition(":")
    if operand:
        if operator != "equals":
            raise BadInputError(
                f"{value!r} uses an unsupported operator; use 'STATUS' or 'equals:STATUS'",
                "status",
            )
        return operand
    return value


def page_window(page: int, size: int) -> tuple[int, int]:
    """``(offset, size)`` for a 1-based ``page`` of ``size`` rows."""
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise BadInputError(f"must be a whole number from 1, got {page!r}", "page")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
        raise BadInputError(f"must be from 1 to {MAX_PAGE_SIZE}, got {size!r}", "size")
    return (page - 1) * size, size


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def merge(*parts: dict[str, Any]) -> dict[str, Any]:
    """The union of filter parts."""
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update(part)
    return merged
