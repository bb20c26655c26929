"""Statements prepared once per text and parameter types (``lineageql.graph.ladybug_connection``):
a statement run again with parameters of other types answers as if it were run afresh.

Embedded store only: this is how the embedded store talks to LadybugDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ladybug
import pytest

from lineageql.errors import ConflictError
from lineageql.graph.ladybug_connection import PreparingConnection
from lineageql.graph.migrations import ladybug_statements


@pytest.fixture
def connection(tmp_path: Path) -> Iterator[PreparingConnection]:
    database = ladybug.Database(str(tmp_path / "prepared.lbdb"))
    conn = PreparingConnection(database, num_threads=1)
    for statement in ladybug_statements():
        conn.rows(statement)
    yield conn
    conn.close()
    database.close()


SCALARS: list[Any] = ["text", None, 1.5, True, "täxt", 7, 2**40, -3, None, "again"]
LISTS: list[list[Any]] = [
    [1, 2**40],
    ["a", None, "c"],
    [],
    [None],
    [0.25, None],
    [True, False],
    [3],
    ["ünïcode"],
]


def test_one_statement_answers_each_parameter_type_in_turn(
    connection: PreparingConnection,
) -> None:
    for value in SCALARS:
        assert connection.rows("RETURN $x AS x", {"x": value}) == [{"x": value}]
    for values in LISTS:
        found = connection.rows("UNWIND $xs AS x RETURN x", {"xs": values})
        assert [row["x"] for row in found] == values
    for position in (0, 300, 2**35, -1):
        rows = [{"id": f"c{position}", "position": position, "name": "n"}]
        connection.rows(
            "UNWIND $rows AS row CREATE (:DatasetColumn {id: row.id, position: row.position, "
            "name: row.name})",
            {"rows": rows},
        )
    stored = connection.rows(
        "MATCH (c:DatasetColumn) RETURN c.position AS position ORDER BY c.position"
    )
    assert [row["position"] for row in stored] == [-1, 0, 300, 2**35]


def test_a_statement_that_fails_to_prepare_is_tried_again_next_time(
    connection: PreparingConnection,
) -> None:
    query = "MATCH (n:Later) RETURN count(n) AS n"
    with pytest.raises(RuntimeError, match="Later does not exist"):
        connection.rows(query, {"unused": "x"})
    connection.rows("CREATE NODE TABLE Later(id STRING, PRIMARY KEY (id))")
    assert connection.rows(query, {"unused": "x"}) == [{"n": 0}]


def test_a_duplicated_key_is_a_conflict(connection: PreparingConnection) -> None:
    query = "UNWIND $ids AS i CREATE (:Tag {id: i})"
    connection.rows(query, {"ids": ["a", "b"]})
    with pytest.raises(ConflictError, match="already stored"):
        connection.rows(query, {"ids": ["b"]})
    assert connection.rows("MATCH (t:Tag) RETURN t.id AS id ORDER BY id") == [
        {"id": "a"},
        {"id": "b"},
    ]
