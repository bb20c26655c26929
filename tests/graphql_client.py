"""Run GraphQL documents in-process, the way the server does, and flatten the answer."""

from __future__ import annotations

import tempfile
from typing import Any

from lineageql.artifacts import ArtifactStore
from lineageql.budget import DEFAULT_MAX_RESPONSE_OBJECTS, ResponseBudget
from lineageql.graph import LineageRepository
from lineageql.schema import Context, schema

_SCRATCH_STORE = ArtifactStore(tempfile.mkdtemp(prefix="lineageql-test-artifacts-"))


async def execute(
    repo: LineageRepository,
    query: str,
    *,
    artifact_store: ArtifactStore | None = None,
    max_objects: int = DEFAULT_MAX_RESPONSE_OBJECTS,
    fast_reads: bool = True,
    **variables: Any,
) -> dict[str, Any]:
    """``{"data": ..., "errors": [{message, code, path, ...extensions}]}`` for one document,
    answered within ``max_objects`` (through the read path, or the resolvers alone)."""
    context = Context(
        repo,
        artifact_store or _SCRATCH_STORE,
        fast_reads=fast_reads,
        budget=ResponseBudget(max_objects),
    )
    result = await schema.execute(query, variable_values=variables, context_value=context)
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [
            {
                "message": e.message,
                "code": (e.extensions or {}).get("code"),
                "path": e.path,
                **(e.extensions or {}),
            }
            for e in result.errors
        ]
    return answer
