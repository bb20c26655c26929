"""What every part of the repository shares: the store and its caches, batched keyed reads
grouped by key, pages of listings, the node kinds and lineage directions."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from typing import Any, TypeVar

from lineageql.errors import BadInputError
from lineageql.graph.listing import (
    ListingQuery,
    Page,
    PageRequest,
    encode_cursor,
)
from lineageql.graph.read_cache import KeyedCache
from lineageql.graph.store import GraphStore, Row, Topic
from lineageql.records import (
    ArtifactVersionRecord,
    ExecutionStatus,
    LineageGraph,
    Record,
)

R = TypeVar("R", bound=Record)

DEFAULT_LINEAGE_DEPTH = 3
MAX_LINEAGE_DEPTH = 50
MAX_LINEAGE_NODES = 5_000
"""Artifact versions one lineage answer holds at most; beyond, it says ``truncated``."""
MAX_PREFIX_CANDIDATES = 10


class NodeKind(StrEnum):
    """The kinds of node that carry tags or metadata, by their graph label."""

    PIPELINE = "Pipeline"
    RUN = "PipelineRun"
    STEP = "Step"
    ARTIFACT = "Artifact"
    ARTIFACT_VERSION = "ArtifactVersion"
    MODEL = "Model"
    MODEL_VERSION = "ModelVersion"


class Direction(StrEnum):
    UPSTREAM = "UPSTREAM"
    DOWNSTREAM = "DOWNSTREAM"
    BOTH = "BOTH"


class RepositoryBase:
    """The store, the keyed-read caches, and the batched-read helpers every part uses."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._versions: KeyedCache[ArtifactVersionRecord | None] = KeyedCache(
            store, Topic.VERSIONS, keep_missing=False
        )
        self._hops = {way: KeyedCache[list[str]](store, _lineage_topic(way)) for way in Direction}
        self._rows: dict[str, KeyedCache[list[Row]]] = {}
        self._run_pages: KeyedCache[tuple[list[str], int]] = KeyedCache(
            store, Topic.GRAPH, covers=lambda key, page: (key.partition("|")[0],)
        )
        """A pipeline's run pages (ids, total) by pipeline id and page; forgotten when a
        write touches the pipeline (every run write names its pipeline)."""
        self._lineages = {
            way: KeyedCache[LineageGraph](store, _lineage_topic(way), per_key=False)
            for way in Direction
        }

    async def _rows_by_key(
        self,
        query: str,
        keys: Sequence[str],
        fresh: Callable[[list[Row]], None] | None = None,
        topic: Topic = Topic.GRAPH,
        **params: Any,
    ) -> list[list[Row]]:
        """Run a keyed query once for all ``keys`` and group its rows by key, in key order.

        Without other parameters, the rows are kept per key under ``topic`` (see
        ``read_cache``); only the keys not kept yet are read. ``fresh`` sees the rows each
        time the store is asked.
        """
        if not keys:
            return []

        async def read(wanted: list[str]) -> dict[str, list[Row]]:
            grouped: dict[str, list[Row]] = {key: [] for key in wanted}
            rows = await self.store.read(query, {"keys": wanted, **params})
            for row in rows:
                grouped[row["key"]].append(row)
            if fresh is not None:
                fresh(rows)
            return grouped

        if params:
            found = await read(list(dict.fromkeys(keys)))
        else:
            cache = self._rows.get(query)
            if cache is None:
                cache = self._rows[query] = KeyedCache(self.store, topic, covers=_row_nodes)
            found = await cache.get_many(keys, read)
        return [found[key] for key in keys]

    async def _by_keys(
        self, query: str, keys: Sequence[str], convert: Callable[[Row], R]
    ) -> list[R | None]:
        groups = await self._rows_by_key(query, keys)
        return [convert(group[0]) if group else None for group in groups]

    async def _page(
        self, listing: ListingQuery, page: PageRequest | None, convert: Callable[[Row], R]
    ) -> Page[R]:
        page = page or PageRequest()
        rows_query, count_query, params = listing.texts(page)
        rows = await self.store.read(rows_query, params)
        total = await self.store.read(count_query, listing.params)
        shown = rows[: page.first]
        cursors = [encode_cursor(row["sort_value"], row["id"]) for row in shown]
        return Page(
            items=[convert(row) for row in shown],
            total_count=int(total[0]["total"]) if total else 0,
            has_next_page=len(rows) > page.first,
            end_cursor=cursors[-1] if cursors else None,
            cursors=cursors,
        )


def _row_nodes(key: str, rows: list[Row]) -> Iterator[str]:
    """The nodes a keyed query's rows name (their ``id`` and ``..._id`` columns): a write
    that changes one of them changes the answer."""
    for row in rows:
        for column, value in row.items():
            if isinstance(value, str) and (column == "id" or column.endswith("_id")):
                yield value


def _lineage_topic(direction: Direction) -> Topic:
    """Upstream answers change only with UPSTREAM writes; the rest with the graph."""
    return Topic.UPSTREAM if direction is Direction.UPSTREAM else Topic.GRAPH


def check_depth(depth: int) -> None:
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_LINEAGE_DEPTH:
        raise BadInputError(f"must be an integer from 1 to {MAX_LINEAGE_DEPTH}", "depth")


def status_value(status: ExecutionStatus | str | None) -> str | None:
    if status is None:
        return None
    try:
        return ExecutionStatus(status).value
    except ValueError as error:
        allowed = ", ".join(s.value for s in ExecutionStatus)
        raise BadInputError(f"{status!r} is not one of {allowed}", "status") from error


def kind_name(kind: NodeKind) -> str:
    return {
        NodeKind.PIPELINE: "pipeline",
        NodeKind.RUN: "pipeline run",
        NodeKind.STEP: "step",
        NodeKind.ARTIFACT: "artifact",
        NodeKind.ARTIFACT_VERSION: "artifact version",
        NodeKind.MODEL: "model",
        NodeKind.MODEL_VERSION: "model version",
    }[kind]
