"""Rows handed to LadybugDB as one list per field instead of one struct per row.

Write statements take their rows as ``UNWIND $rows AS row`` over a list of dicts. LadybugDB's
Python binding converts each dict to a STRUCT value one field at a time, holding the GIL:
about 20 µs per row of six fields, most of what a 50-row statement costs. A list of plain
strings (or numbers) converts ten times faster, so the embedded store sends each field as
its own list and rebuilds ``row`` inside the statement::

    UNWIND range(1, size($rows__id)) AS __rows_i
    WITH *, {`id`: $rows__id[__rows_i], `name`: $rows__name[__rows_i]} AS row

The statements' text and meaning stay those in ``queries``; Neo4j receives them unchanged.
LadybugDB looks a node up by primary key through ``row.field`` only for the first MATCH after
the rebuilt row, so a statement that matches two nodes by key separates the MATCH clauses
with ``WITH`` (``tests/test_ladybug_rows.py`` checks the query modules for that).

Rows keep the struct form when a field is not a scalar in every row (a list, a map), when a
field mixes Python types, or when the rows differ in their fields: LadybugDB infers such a
list's type differently, and the struct form is what those statements were written for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

_UNWIND = re.compile(r"UNWIND\s+\$(\w+)\s+AS\s+(\w+)\b")
_SCALARS = (str, bool, int, float)


def columnar(query: str, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``query`` and ``params`` with each eligible list of rows sent field by field."""
    sent = dict(params)
    for match in _UNWIND.finditer(query):
        name = match.group(1)
        fields = _fields_of(sent.get(name))
        if fields is None or len(re.findall(rf"\${name}\b", query)) != 1:
            continue
        rows: list[dict[str, Any]] = sent.pop(name)
        columns = {field: [row[field] for row in rows] for field in fields}
        types = {field: _type_of(values) for field, values in columns.items()}
        if any(kind is _MIXED for kind in types.values()) or all(
            kind is None for kind in types.values()
        ):
            sent[name] = rows
            continue
        nulls = frozenset(field for field, kind in types.items() if kind is None)
        query = _unwound(query, name, fields, nulls)
        for field, values in columns.items():
            if field not in nulls:
                sent[f"{name}__{field}"] = values
    return query, sent


_MIXED = object()
"""A field whose values are not all one scalar type."""


def _fields_of(value: Any) -> tuple[str, ...] | None:
    """The field names shared by every row of ``value``, if it is a non-empty list of dicts
    with the same identifier-like keys; else None."""
    if not isinstance(value, list) or not value or not isinstance(value[0], dict):
        return None
    keys = value[0].keys()
    if not all(isinstance(row, dict) and row.keys() == keys for row in value):
        return None
    fields = tuple(keys)
    return fields if all(field.isidentifier() for field in fields) else None


def _type_of(values: list[Any]) -> type | object | None:
    """The one scalar type of the non-null ``values``; None if all are null; ``_MIXED``
    otherwise (lists, maps, or several types)."""
    found: type | None = None
    for value in values:
        if value is None:
            continue
        kind = type(value)
        if kind not in _SCALARS or (found is not None and kind is not found):
            return _MIXED
        found = kind
    return found


@lru_cache(maxsize=512)
def _unwound(query: str, name: str, fields: tuple[str, ...], nulls: frozenset[str]) -> str:
    """``query`` with ``UNWIND $name AS alias`` replaced by the per-field form (fields in
    ``nulls`` are NULL in every row and sent as a literal)."""
    match = next(m for m in _UNWIND.finditer(query) if m.group(1) == name)
    alias, index = match.group(2), f"__{name}_i"
    counted = next(field for field in fields if field not in nulls)
    parts = ", ".join(
        f"`{field}`: NULL" if field in nulls else f"`{field}`: ${name}__{field}[{index}]"
        for field in fields
    )
    head = f"UNWIND range(1, size(${name}__{counted})) AS {index} WITH *, {{{parts}}} AS {alias}"
    return query[: match.start()] + head + query[match.end() :]
