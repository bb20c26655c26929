"""A LadybugDB connection that prepares each statement once and runs it from then on.

LadybugDB's Python binding caches prepared statements itself, but before each call it
works out the parameters' types item by item and searches the query text once per
parameter for a JSON cast (2 ms of each ingest batch's 25 over 27 statements, holding the
GIL). Here a statement is prepared once per text and parameter types through the binding's
public ``PreparedStatement`` and then executed directly; parameters whose LadybugDB type
depends on their value (integers, whose width it narrows; rows sent as structs) go through
the binding's own path, as does a statement without parameters.

Prepared plans are made against the data as it was; ``EmbeddedStore`` replaces its
connections at checkpoints so that they follow the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ladybug

from lineageql.errors import ConflictError
from lineageql.graph.ladybug_rows import columnar
from lineageql.graph.store import Params, Row

_PLAIN = frozenset({str, float, bool})
"""Parameter types LadybugDB binds the same whatever the value."""
_LIST_ITEMS = frozenset({str, float, bool, int})
"""Item types of a list LadybugDB binds the same whatever the values (integers as INT64)."""
_NONE = type(None)

Signature = tuple[tuple[str, type, type | None], ...]


class PreparingConnection:
    """One LadybugDB connection and the statements prepared on it."""

    def __init__(self, database: ladybug.Database, num_threads: int = 0) -> None:
        self._connection = ladybug.Connection(database, num_threads=num_threads)
        self._prepared: dict[tuple[str, Signature], ladybug.PreparedStatement] = {}

    def rows(self, query: str, params: Params | None = None) -> list[Row]:
        """Run one statement; its rows as dicts. A duplicated key is a ConflictError."""
        query, sent = columnar(query, params or {})
        try:
            result = self._execute(query, sent)
        except RuntimeError as error:
            if "duplicated primary key" in str(error):
                raise ConflictError(f"already stored: {error}") from error
            raise
        if isinstance(result, list):
            raise ValueError("one query at a time: the text held several statements")
        columns = result.get_column_names()
        rows: list[Row] = []
        while result.has_next():
            rows.append(dict(zip(columns, result.get_next(), strict=True)))
        result.close()
        return rows

    def close(self) -> None:
        self._prepared.clear()
        self._connection.close()

    def _execute(self, query: str, params: dict[str, Any]) -> Any:
        signature = _signature(params) if params else None
        if signature is None:
            return self._connection.execute(query, params)
        key = (query, signature)
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = ladybug.PreparedStatement(self._connection, query, params)
            if not prepared.is_success():
                raise RuntimeError(prepared.get_error_message())
            self._prepared[key] = prepared
        return self._connection.execute(prepared, params)


def _signature(params: Mapping[str, Any]) -> Signature | None:
    """The types a statement is prepared for: each parameter's type (and a list's item
    type); None when one's LadybugDB type depends on its value."""
    found: list[tuple[str, type, type | None]] = []
    for name, value in params.items():
        kind = type(value)
        if kind in _PLAIN or kind is _NONE:
            found.append((name, kind, None))
        elif kind is list:
            items = set(map(type, value))
            items.discard(_NONE)
            if len(items) > 1 or not items <= _LIST_ITEMS:
                return None
            found.append((name, list, items.pop() if items else None))
        else:
            return None
    return tuple(found)
