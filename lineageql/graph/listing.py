"""Filtered, ordered, cursor-paged listings of pipelines, runs, artifacts and versions.

Paging is by keyset: a cursor holds the sort value and id of the last row a page showed, so
rows inserted meanwhile neither repeat nor vanish from later pages. Filters are records; each
one set adds a fixed Cypher fragment with its value as a parameter.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from lineageql.errors import BadInputError
from lineageql.graph.queries import (
    ARTIFACT_RETURN,
    PIPELINE_RETURN,
    RUN_MATCH,
    RUN_RETURN,
    VERSION_MATCH,
    VERSION_RETURN,
)
from lineageql.records import DEFAULT_NAMESPACE, ExecutionStatus

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

T = TypeVar("T")


class SortDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


class Comparison(StrEnum):
    """How a metadata filter compares a stored value with the given one."""

    EQ = "EQ"
    NE = "NE"
    GT = "GT"
    GTE = "GTE"
    LT = "LT"
    LTE = "LTE"


_NUMERIC_OPERATORS = {
    Comparison.GT: ">",
    Comparison.GTE: ">=",
    Comparison.LT: "<",
    Comparison.LTE: "<=",
}


@dataclass(frozen=True)
class MetadataCondition:
    """``key OP value`` on a metadata entry; ordering comparisons need a number."""

    key: str
    op: Comparison
    value: Any


@dataclass(frozen=True)
class PageRequest:
    """How many rows, after which cursor, in which order."""

    first: int = DEFAULT_PAGE_SIZE
    after: str | None = None
    sort_by: str = "created"
    direction: SortDirection = SortDirection.DESC


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing."""

    items: list[T]
    total_count: int
    has_next_page: bool
    end_cursor: str | None
    cursors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PipelineFilter:
    name: str | None = None
    name_contains: str | None = None
    name_starts_with: str | None = None
    namespace: str | None = None


@dataclass(frozen=True)
class RunFilter:
    pipeline_ids: list[str] | None = None
    pipeline_names: list[str] | None = None
    statuses: list[ExecutionStatus] | None = None
    tags: list[str] | None = None
    name: str | None = None
    name_contains: str | None = None
    name_starts_with: str | None = None
    created_after: str | None = None
    created_before: str | None = None
    metadata: list[MetadataCondition] = field(default_factory=list)
    step_name_contains: str | None = None
    """Keep runs with a step whose invocation id or step name holds this text."""


@dataclass(frozen=True)
class ArtifactFilter:
    name: str | None = None
    name_contains: str | None = None
    name_starts_with: str | None = None
    tags: list[str] | None = None
    namespace: str | None = None


@dataclass(frozen=True)
class VersionFilter:
    artifact_names: list[str] | None = None
    artifact_ids: list[str] | None = None
    version: str | None = None
    types: list[str] | None = None
    tags: list[str] | None = None
    created_after: str | None = None
    created_before: str | None = None
    metadata: list[MetadataCondition] = field(default_factory=list)
    only_unused: bool = False


@dataclass
class ListingQuery:
    """The pieces of one listing: what to match, its conditions and parameters."""

    match: str
    var: str
    returning: str
    sortable: tuple[str, ...]
    conditions: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def where(self, condition: str, **params: Any) -> None:
        self.conditions.append(condition)
        self.params.update(params)

    def texts(self, page: PageRequest) -> tuple[str, str, dict[str, Any]]:
        """The page query, the count query and their parameters."""
        if page.sort_by not in self.sortable:
            raise BadInputError(
                f"cannot sort by {page.sort_by!r}; choose one of {', '.join(self.sortable)}",
                "orderBy",
            )
        check_page_size(page.first)
        sort = f"coalesce({self.var}.{page.sort_by}, '')"
        params = dict(self.params)
        conditions = list(self.conditions)
        count = f"{self.match} {_where(conditions)} RETURN count(*) AS total"
        if page.after is not None:
            value, last_id = decode_cursor(page.after)
            compare = "<" if page.direction is SortDirection.DESC else ">"
            conditions.append(
                f"({sort} {compare} $cursor_value OR "
                f"({sort} = $cursor_value AND {self.var}.id {compare} $cursor_id))"
            )
            params.update(cursor_value=value, cursor_id=last_id)
        order = page.direction.value
        rows = (
            f"{self.match} {_where(conditions)} RETURN {sort} AS sort_value, {self.returning} "
            f"ORDER BY sort_value {order}, {self.var}.id {order} LIMIT $limit"
        )
        params["limit"] = page.first + 1
        return rows, count, params


def _where(conditions: list[str]) -> str:
    return f"WHERE {' AND '.join(conditions)}" if conditions else ""


def check_page_size(first: int) -> None:
    """Raise a BadInputError unless ``first`` is a usable page size."""
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise BadInputError(f"must be from 0 to {MAX_PAGE_SIZE}, got {first}", "first")


def encode_cursor(sort_value: str, node_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([sort_value, node_id]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        value, node_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError, binascii.Error) as error:
        raise BadInputError("is not a cursor this API handed out", "after") from error
    if not isinstance(value, str) or not isinstance(node_id, str):
        raise BadInputError("is not a cursor this API handed out", "after")
    return value, node_id


@dataclass(frozen=True)
class IdWindow:
    """One page of an id list already in order: the ids shown and whether more follow.

    The cursor of an id-list page is the position's id, base64-encoded.
    """

    shown: list[str]
    has_next_page: bool
    total_count: int

    @classmethod
    def of(cls, ids: list[str], first: int, after: str | None) -> IdWindow:
        check_page_size(first)
        start = 0
        if after is not None:
            last = decode_position(after)
            if last not in ids:
                raise BadInputError("is not a cursor of this list", "after")
            start = ids.index(last) + 1
        return cls(
            shown=ids[start : start + first],
            has_next_page=start + first < len(ids),
            total_count=len(ids),
        )


def encode_position(node_id: str) -> str:
    return base64.urlsafe_b64encode(node_id.encode()).decode()


def decode_position(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except ValueError as error:
        raise BadInputError("is not a cursor this API handed out", "after") from error


def _names(
    query: ListingQuery, exact: str | None, contains: str | None, starts_with: str | None
) -> None:
    if exact is not None:
        query.where(f"{query.var}.name = $name", name=exact)
    if contains:
        query.where(f"{query.var}.name CONTAINS $name_contains", name_contains=contains)
    if starts_with:
        query.where(f"{query.var}.name STARTS WITH $name_prefix", name_prefix=starts_with)


def _tags(query: ListingQuery, tags: list[str] | None) -> None:
    if tags:
        query.where(
            f"EXISTS {{ MATCH ({query.var})-[:TAGGED]->(tg:Tag) WHERE tg.id IN $tags }}",
            tags=tags,
        )


def _created(query: ListingQuery, after: str | None, before: str | None) -> None:
    if after is not None:
        query.where(f"{query.var}.created > $created_after", created_after=after)
    if before is not None:
        query.where(f"{query.var}.created < $created_before", created_before=before)


def _metadata(query: ListingQuery, conditions: list[MetadataCondition]) -> None:
    for index, condition in enumerate(conditions):
        key, value = f"meta_key_{index}", f"meta_value_{index}"
        entry = f"(mx{index}:MetadataEntry)"
        if condition.op in _NUMERIC_OPERATORS:
            if isinstance(condition.value, bool) or not isinstance(condition.value, int | float):
                raise BadInputError(
                    f"{condition.op.value} compares numbers; got {condition.value!r}",
                    f"metadata.{condition.key}",
                )
            test = f"mx{index}.number {_NUMERIC_OPERATORS[condition.op]} ${value}"
            param: Any = float(condition.value)
        else:
            is_number = isinstance(condition.value, int | float) and not isinstance(
                condition.value, bool
            )
            column = "number" if is_number else "value"
            param = float(condition.value) if is_number else json.dumps(condition.value)
            operator = "=" if condition.op is Comparison.EQ else "<>"
            test = f"mx{index}.{column} {operator} ${value}"
        query.where(
            f"EXISTS {{ MATCH ({query.var})-[:HAS_METADATA]->{entry} "
            f"WHERE mx{index}.key = ${key} AND {test} }}",
            **{key: condition.key, value: param},
        )


def pipelines_query(spec: PipelineFilter) -> ListingQuery:
    query = ListingQuery("MATCH (p:Pipeline)", "p", PIPELINE_RETURN, sortable=("created", "name"))
    _names(query, spec.name, spec.name_contains, spec.name_starts_with)
    _namespace(query, spec.namespace)
    return query


def _namespace(query: ListingQuery, namespace: str | None) -> None:
    """Keep rows in ``namespace`` (``default`` holds those no OpenLineage event named)."""
    if namespace is not None:
        query.where(
            f"coalesce({query.var}.namespace, $fallback) = $namespace",
            namespace=namespace,
            fallback=DEFAULT_NAMESPACE,
        )


def runs_query(spec: RunFilter) -> ListingQuery:
    query = ListingQuery(
        RUN_MATCH,
        "r",
        RUN_RETURN,
        sortable=("created", "name", "start_time", "end_time", "status"),
    )
    if spec.pipeline_ids is not None:
        query.where("p.id IN $pipeline_ids", pipeline_ids=spec.pipeline_ids)
    if spec.pipeline_names is not None:
        query.where("p.name IN $pipeline_names", pipeline_names=spec.pipeline_names)
    if spec.statuses:
        query.where("r.status IN $statuses", statuses=[s.value for s in spec.statuses])
    _names(query, spec.name, spec.name_contains, spec.name_starts_with)
    _tags(query, spec.tags)
    _created(query, spec.created_after, spec.created_before)
    _metadata(query, spec.metadata)
    if spec.step_name_contains is not None:
        query.where(
            "EXISTS { MATCH (r)-[:HAS_STEP]->(sx:Step) WHERE sx.name CONTAINS $step_text "
            "OR sx.step_name CONTAINS $step_text }",
            step_text=spec.step_name_contains,
        )
    return query


def artifacts_query(spec: ArtifactFilter) -> ListingQuery:
    query = ListingQuery("MATCH (a:Artifact)", "a", ARTIFACT_RETURN, sortable=("created", "name"))
    _names(query, spec.name, spec.name_contains, spec.name_starts_with)
    _tags(query, spec.tags)
    _namespace(query, spec.namespace)
    return query


def versions_query(spec: VersionFilter) -> ListingQuery:
    query = ListingQuery(
        VERSION_MATCH, "v", VERSION_RETURN, sortable=("created", "name", "version", "type")
    )
    if spec.artifact_names is not None:
        query.where("art.name IN $artifact_names", artifact_names=spec.artifact_names)
    if spec.artifact_ids is not None:
        query.where("art.id IN $artifact_ids", artifact_ids=spec.artifact_ids)
    if spec.version is not None:
        query.where("v.version = $version", version=spec.version)
    if spec.types:
        query.where("v.type IN $types", types=spec.types)
    if spec.only_unused:
        query.where("NOT EXISTS { MATCH (v)<-[:PRODUCED|CONSUMED]-(:Step) }")
    _tags(query, spec.tags)
    _created(query, spec.created_after, spec.created_before)
    _metadata(query, spec.metadata)
    return query
