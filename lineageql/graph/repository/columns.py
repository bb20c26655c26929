"""Columns of artifact versions and column-level lineage: which columns a column came from,
and which came from it, walked one batched read per hop whatever the number of columns."""

from __future__ import annotations

from collections.abc import Sequence

from lineageql.graph import queries as q
from lineageql.graph.repository.base import (
    DEFAULT_LINEAGE_DEPTH,
    MAX_LINEAGE_NODES,
    Direction,
    check_depth,
)
from lineageql.graph.repository.lineage import LineageReads
from lineageql.graph.repository.rows import column_link, column_record
from lineageql.records import ColumnLineageGraph, ColumnLink, ColumnRecord


class ColumnReads(LineageReads):
    """Columns by version or id, and walks along COLUMN_FROM."""

    async def columns_of_versions(self, version_ids: Sequence[str]) -> list[list[ColumnRecord]]:
        """Each version's columns, in its column order."""
        groups = await self._rows_by_key(q.COLUMNS_OF_VERSIONS, version_ids)
        return [[column_record(row) for row in group] for group in groups]

    async def get_columns(self, ids: Sequence[str]) -> list[ColumnRecord | None]:
        return await self._by_keys(q.COLUMNS_BY_ID, ids, column_record)

    async def column_links(
        self, column_ids: Sequence[str], direction: Direction
    ) -> list[list[ColumnLink]]:
        """Each column's links one hop UPSTREAM (the columns it came from) or DOWNSTREAM
        (the columns that came from it)."""
        groups = await self._rows_by_key(q.COLUMN_LINKS_OF_COLUMNS[direction.value], column_ids)
        return [[column_link(row) for row in group] for group in groups]

    async def upstream_column_ids(
        self, column_ids: Sequence[str], depth: int = 1
    ) -> list[list[str]]:
        """For each column, the columns it came from within ``depth`` links."""
        return [
            _reached(graph) for graph in await self._walks(column_ids, Direction.UPSTREAM, depth)
        ]

    async def downstream_column_ids(
        self, column_ids: Sequence[str], depth: int = 1
    ) -> list[list[str]]:
        """For each column, the columns that came from it within ``depth`` links."""
        return [
            _reached(graph) for graph in await self._walks(column_ids, Direction.DOWNSTREAM, depth)
        ]

    async def column_lineage(
        self,
        column_id: str,
        direction: Direction = Direction.UPSTREAM,
        depth: int = DEFAULT_LINEAGE_DEPTH,
    ) -> ColumnLineageGraph:
        """The columns within ``depth`` links of ``column_id`` and the links between them,
        cut at MAX_LINEAGE_NODES columns (then ``truncated``)."""
        check_depth(depth)
        ways = (
            [Direction.UPSTREAM, Direction.DOWNSTREAM]
            if direction is Direction.BOTH
            else [direction]
        )
        depths: dict[str, int] = {column_id: 0}
        links: dict[tuple[str, str], ColumnLink] = {}
        truncated = False
        for way in ways:
            [graph] = await self._walks([column_id], way, depth)
            truncated = truncated or graph.truncated
            for node, distance in graph.column_depths.items():
                depths[node] = min(distance, depths.get(node, distance))
            for link in graph.links:
                links[(link.column_id, link.source_id)] = link
        return ColumnLineageGraph(
            column_depths=depths,
            links=[links[key] for key in sorted(links)],
            truncated=truncated,
        )

    async def _walks(
        self, origins: Sequence[str], direction: Direction, depth: int
    ) -> list[ColumnLineageGraph]:
        """Breadth-first from each origin along COLUMN_FROM, one batched read per hop for
        all origins together."""
        check_depth(depth)
        upstream = direction is Direction.UPSTREAM
        depths = [{origin: 0} for origin in origins]
        found: list[dict[tuple[str, str], ColumnLink]] = [{} for _ in origins]
        truncated = [False for _ in origins]
        frontiers = [[origin] for origin in origins]
        for hop in range(1, depth + 2):
            wanted = list(dict.fromkeys(node for frontier in frontiers for node in frontier))
            if not wanted:
                break
            links_of = dict(zip(wanted, await self.column_links(wanted, direction), strict=True))
            for index, frontier in enumerate(frontiers):
                reached: list[str] = []
                for node in frontier:
                    for link in links_of[node]:
                        other = link.source_id if upstream else link.column_id
                        if hop > depth or len(depths[index]) >= MAX_LINEAGE_NODES:
                            # One hop past the limit, read only to tell more lies beyond.
                            truncated[index] = truncated[index] or other not in depths[index]
                            continue
                        found[index][(link.column_id, link.source_id)] = link
                        if other not in depths[index]:
                            depths[index][other] = hop
                            reached.append(other)
                frontiers[index] = sorted(reached)
        return [
            ColumnLineageGraph(
                column_depths=depths[index],
                links=[found[index][key] for key in sorted(found[index])],
                truncated=truncated[index],
            )
            for index in range(len(origins))
        ]


def _reached(graph: ColumnLineageGraph) -> list[str]:
    """The columns a walk reached, nearest first, without its start."""
    return sorted(
        (node for node, distance in graph.column_depths.items() if distance > 0),
        key=lambda node: (graph.column_depths[node], node),
    )
