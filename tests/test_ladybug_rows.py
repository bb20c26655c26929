"""Rows sent to LadybugDB field by field (``lineageql.graph.ladybug_rows``): written exactly as
the struct rows they replace, and still looked up by primary key.

These run on the embedded store only: the field-by-field form is how the embedded store talks
to LadybugDB, and Neo4j receives the statements unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ladybug
import pytest

from lineageql.graph import model_queries, queries
from lineageql.graph import queries as q
from lineageql.graph.ladybug_rows import columnar
from lineageql.graph.migrations import ladybug_statements

KEYED_BY_ROW = re.compile(r"\{[^}]*\b(\w+)\.\w+")
CLAUSE = re.compile(r"\b(OPTIONAL MATCH|MATCH|WITH|MERGE|CREATE|SET|RETURN|UNWIND|DELETE)\b")


@pytest.fixture
def connection(tmp_path: Path) -> Iterator[ladybug.Connection]:
    database = ladybug.Database(str(tmp_path / "rows.lbdb"))
    conn = ladybug.Connection(database, num_threads=1)
    for statement in ladybug_statements():
        conn.execute(statement)
    yield conn
    conn.close()
    database.close()


def rows_of(conn: ladybug.Connection, query: str, params: dict[str, Any] | None = None) -> list:
    result = conn.execute(query, params or {})
    assert not isinstance(result, list)
    found = []
    while result.has_next():
        found.append(result.get_next())
    return found


def test_rows_sent_field_by_field_are_stored_as_given(connection: ladybug.Connection) -> None:
    rows = [
        {"id": "a", "name": "täble", "position": 0, "description": None, "weight": 0.5},
        {"id": "b", "name": "b", "position": 10**12, "description": "kept", "weight": None},
        {"id": "c", "name": "c", "position": None, "description": None, "weight": 2.0},
    ]
    query = """
    UNWIND $rows AS row
    CREATE (:Tag {id: row.id + '|' + row.name + '|' + coalesce(CAST(row.position AS STRING), '-')
        + '|' + coalesce(row.description, '-') + '|' + coalesce(CAST(row.weight AS STRING), '-')
        + '|' + coalesce(row.missing, '-')})
    """.replace("row.missing", "row.never")
    sent, params = columnar(query, {"rows": [{**row, "never": None} for row in rows]})
    assert "$rows__id" in sent and "rows" not in params and "rows__never" not in params
    rows_of(connection, sent, params)
    stored = sorted(r[0] for r in rows_of(connection, "MATCH (t:Tag) RETURN t.id"))
    assert stored == [
        "a|täble|0|-|0.500000|-",
        "b|b|1000000000000|kept|-|-",
        "c|c|-|-|2.000000|-",
    ]


def test_rows_that_are_not_plain_scalars_keep_the_struct_form() -> None:
    query = "UNWIND $rows AS row CREATE (:Tag {id: row.id})"
    for rows in (
        [{"id": "a", "tags": ["x"]}],  # a list field
        [{"id": "a", "n": 1}, {"id": "b", "n": 1.5}],  # two types in one field
        [{"id": "a"}, {"id": "b", "other": 1}],  # rows with other fields
        [{"id": None}],  # nothing but nulls
    ):
        assert columnar(query, {"rows": rows}) == (query, {"rows": rows})
    twice = "UNWIND $rows AS row MATCH (t:Tag {id: row.id}) RETURN size($rows)"
    assert columnar(twice, {"rows": [{"id": "a"}]})[0] == twice


def statements_of(module: object) -> Iterator[tuple[str, str]]:
    for name, value in vars(module).items():
        texts = value.values() if isinstance(value, dict) else [value]
        for text in texts:
            if isinstance(text, str) and "UNWIND $" in text:
                yield name, text


@pytest.mark.parametrize("module", [queries, model_queries], ids=lambda m: m.__name__)
def test_no_statement_matches_two_nodes_by_row_key_without_a_with_between(
    module: object,
) -> None:
    """LadybugDB looks up by key only the first MATCH after rows sent field by field (and
    plans a comma between two keyed patterns as a product of scans)."""
    offending = []
    for name, text in statements_of(module):
        for unwind in re.finditer(r"UNWIND\s+\$\w+\s+AS\s+(\w+)", text):
            alias, keyed = unwind.group(1), 0
            parts = CLAUSE.split(text[unwind.end() :])
            for keyword, body in zip(parts[1::2], parts[2::2], strict=True):
                if keyword == "WITH":
                    keyed = 0
                elif keyword.endswith("MATCH"):
                    keyed += sum(m.group(1) == alias for m in KEYED_BY_ROW.finditer(body))
                    if keyed > 1:
                        offending.append(name)
    assert offending == []


def plan_of(conn: ladybug.Connection, query: str, params: dict[str, Any]) -> str:
    [[plan]] = rows_of(conn, "EXPLAIN " + query, params)
    return str(plan)


def lookups(plan: str) -> tuple[int, int]:
    """How many key lookups and node-table scans a plan holds."""
    return plan.count("PRIMARY_KEY_LOOKUP"), plan.count("SCAN_NODE_TABLE")


def test_ingest_statements_keep_their_key_lookups(connection: ladybug.Connection) -> None:
    """On a store with thousands of nodes, the statements that link what an event names are
    planned with rows sent field by field as they are with struct rows: every key lookup
    kept, no scan added."""
    ids = [f"n{i}" for i in range(3000)]
    for label in ("DatasetColumn", "ArtifactVersion", "Step", "Pipeline", "Artifact"):
        rows_of(connection, f"UNWIND $ids AS i CREATE (:{label} {{id: i}})", {"ids": ids})
    link = {"transformation": "DIRECT", "subtype": "IDENTITY", "description": None}
    cases = {
        "LINK_COLUMNS": [
            {"column_id": a, "source_id": b, **link, "masking": False}
            for a, b in zip(ids[:50], ids[50:100], strict=True)
        ],
        "LINK_INPUTS": [
            {"step_id": a, "artifact_version_id": b, "name": "data"}
            for a, b in zip(ids[:50], ids[50:100], strict=True)
        ],
        "DERIVE_PAIRS": [
            {"output": a, "input": b} for a, b in zip(ids[:50], ids[50:100], strict=True)
        ],
        "DECLARE": [
            {"pipeline_id": a, "artifact_id": b, "direction": "INPUT"}
            for a, b in zip(ids[:50], ids[50:100], strict=True)
        ],
    }
    for name, rows in cases.items():
        sent, params = columnar(getattr(q, name), {"rows": rows})
        assert "$rows__" in sent, name
        as_structs = lookups(plan_of(connection, getattr(q, name), {"rows": rows}))
        assert lookups(plan_of(connection, sent, params)) == as_structs, name
        assert as_structs[0] >= 2, name
    # The check can fail: two keyed MATCH clauses in a row lose their lookups.
    joined = q.LINK_COLUMNS.replace("WITH c, row\n", "")
    plan = plan_of(connection, *columnar(joined, {"rows": cases["LINK_COLUMNS"]}))
    assert lookups(plan) == (0, 2)
