"""The whole-answer bound, on both stores and through both query paths: nested lineage lists
that multiply the answer are refused with RESPONSE_TOO_LARGE once the whole answer would pass
the bound (never built first), pages are counted before anything is read, and generated nested
documents never answer more objects than the bound."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineageql.budget import DEFAULT_MAX_RESPONSE_OBJECTS
from lineageql.graph import LineageRepository
from tests.attack_history import count_objects, nested_walk, record_fan_out
from tests.graphql_client import execute

PATHS = [True, False]
"""fast_reads: the planned read path, and the resolvers alone."""


@pytest.fixture
async def history(repo: LineageRepository) -> LineageRepository:
    await record_fan_out(repo, runs=5)
    return repo


def code_of(answer: dict[str, Any]) -> str | None:
    errors = answer.get("errors") or []
    return errors[0]["code"] if errors else None


@pytest.mark.parametrize("fast", PATHS)
async def test_a_short_nested_walk_is_refused_before_it_is_built(
    history: LineageRepository, fast: bool
) -> None:
    # 11 nested lists: 5 x 4 x 5 x ... objects, about 16 million at full size.
    answer = await execute(history, nested_walk(11), fast_reads=fast)
    assert code_of(answer) == "RESPONSE_TOO_LARGE", answer
    assert f"{DEFAULT_MAX_RESPONSE_OBJECTS:,} objects" in answer["errors"][0]["message"]
    assert len(answer["errors"]) <= 5


@pytest.mark.parametrize("fast", PATHS)
async def test_the_bound_counts_the_whole_answer_exactly(
    history: LineageRepository, fast: bool
) -> None:
    # Four levels: 1 + 5 + 20 + 100 + 400 objects (each list alone is small).
    whole = await execute(history, nested_walk(4), fast_reads=fast, max_objects=526)
    assert "errors" not in whole, whole
    assert count_objects(whole["data"]) - 1 == 526
    short = await execute(history, nested_walk(4), fast_reads=fast, max_objects=525)
    assert code_of(short) == "RESPONSE_TOO_LARGE"


async def test_aliases_on_the_inner_levels_are_counted(history: LineageRepository) -> None:
    inner = " ".join(
        f"a{i}: upstream {{ b{i}: downstream {{ id }} c{i}: downstream {{ id }} }}"
        for i in range(3)
    )
    # 1 + 5 + 20 + 100 versions, then 100 x 3 x 4 and 100 x 3 x 4 x 2 x 5: 13,326 objects.
    document = (
        '{ artifactVersion(name: "X_train") { downstream { upstream { downstream '
        f"{{ {inner} }} }} }} }} }}"
    )
    small = await execute(history, document, max_objects=10_000)
    assert code_of(small) == "RESPONSE_TOO_LARGE"
    answered = await execute(history, document)
    assert "errors" not in answered
    assert count_objects(answered["data"]) - 1 == 13_326


async def test_pages_are_counted_before_anything_is_read(history: LineageRepository) -> None:
    page = (
        "pipelines(first: 100) { edges { node { runs(first: 100) { edges { node { "
        "steps { id outputs { name } } } } } } } }"
    )
    one = await execute(history, f"{{ {page} }}")
    assert "errors" not in one, one
    # Each alias could answer 100 x 100 runs with their steps: together more than the bound.
    many = await execute(history, "{ " + " ".join(f"p{i}: {page}" for i in range(3)) + " }")
    assert code_of(many) == "RESPONSE_TOO_LARGE"
    assert many["errors"][0]["path"] == ["p1"]


async def test_lineage_walks_are_counted_at_their_limit(history: LineageRepository) -> None:
    walk = 'lineage(artifactName: "X_train", direction: DOWNSTREAM, depth: 50) { truncated }'
    answer = await execute(history, "{ " + " ".join(f"w{i}: {walk}" for i in range(8)) + " }")
    # Each walk may read 5,000 versions and their steps: the fifth would pass the bound.
    assert [(e["code"], e["path"]) for e in answer["errors"]] == [("RESPONSE_TOO_LARGE", ["w4"])]
    assert answer["data"] is None  # lineage is non-null, so its error nulls the whole answer
    four = await execute(history, "{ " + " ".join(f"w{i}: {walk}" for i in range(4)) + " }")
    assert four["data"]["w3"] == {"truncated": False}


LISTS = ("upstream", "downstream", "consumedBy")
OBJECTS = ("producedBy",)


@st.composite
def nested_documents(draw: Any) -> str:
    """A walk from X_train through lineage lists and producers, with aliases."""

    def version_selection(level: int) -> str:
        """Fields of a version selected ``level`` deep (the document stays within the
        server's depth limit of 12)."""
        fields = ["id"]
        for index in range(draw(st.integers(0, 2)) if level < 10 else 0):
            name = draw(st.sampled_from(LISTS + OBJECTS))
            alias = f"f{level}_{index}: "
            if name in ("consumedBy", "producedBy") and level <= 8:
                further = version_selection(level + 3)
                inner = f"id outputs {{ name artifactVersion {{ {further} }} }}"
            elif name in LISTS and name != "consumedBy":
                inner = version_selection(level + 1)
            else:
                continue
            fields.append(f"{alias}{name} {{ {inner} }}")
        return " ".join(fields)

    return f'{{ artifactVersion(name: "X_train") {{ {version_selection(2)} }} }}'


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=nested_documents(), bound=st.sampled_from([50, 300, 2_000]))
async def test_generated_nested_documents_never_answer_past_the_bound(
    history: LineageRepository, document: str, bound: int
) -> None:
    planned, resolved = [
        await execute(history, document, fast_reads=fast, max_objects=bound) for fast in PATHS
    ]
    for answer in (planned, resolved):
        codes = {error["code"] for error in answer.get("errors", [])}
        assert codes <= {"RESPONSE_TOO_LARGE"}, answer["errors"]
        if answer["data"] is not None:
            assert count_objects(answer["data"]) - 1 <= bound
    if "errors" not in planned and "errors" not in resolved:
        assert planned == resolved
