"""Lineage: walks along the DERIVED_FROM index, as version lists or as a graph to draw."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from lineageql.errors import BadInputError, NotFoundError, ResponseTooLargeError
from lineageql.graph import queries as q
from lineageql.graph.repository.base import (
    DEFAULT_LINEAGE_DEPTH,
    MAX_LINEAGE_NODES,
    Direction,
    check_depth,
)
from lineageql.graph.repository.keyed_reads import KeyedReads
from lineageql.graph.repository.rows import joined_versions
from lineageql.records import (
    LineageEdge,
    LineageGraph,
)


class LineageReads(KeyedReads):
    """Upstream and downstream walks, one batched read per hop."""

    async def lineage(
        self,
        version_id: str,
        direction: Direction = Direction.UPSTREAM,
        depth: int = DEFAULT_LINEAGE_DEPTH,
    ) -> LineageGraph:
        """The versions within ``depth`` steps of ``version_id`` along the data flow, the
        steps between them, and their PRODUCED/CONSUMED edges."""
        check_depth(depth)
        if (await self.get_artifact_versions([version_id]))[0] is None:
            raise NotFoundError(f"no artifact version with id {version_id!r}")
        key = f"{version_id}|{direction.value}|{depth}"

        async def read(keys: list[str]) -> dict[str, LineageGraph]:
            return {key: await self._lineage(version_id, direction, depth)}

        return (await self._lineages[direction].get_many([key], read))[key]

    async def lineage_start(
        self, version_id: str | None, artifact_name: str | None, as_of: str | None
    ) -> str:
        """The id of the version a lineage question starts from: ``version_id``, or the
        version of ``artifact_name`` current at ``as_of`` (its newest when None)."""
        if version_id is not None:
            if as_of is not None:
                raise BadInputError("goes with artifactName, not with artifactVersionId", "asOf")
            return version_id
        return (await self.find_artifact_version(str(artifact_name), as_of=as_of)).id

    async def _lineage(self, version_id: str, direction: Direction, depth: int) -> LineageGraph:
        directions = (
            [Direction.UPSTREAM, Direction.DOWNSTREAM]
            if direction is Direction.BOTH
            else [direction]
        )
        depths: dict[str, int] = {version_id: 0}
        step_depths: dict[str, int] = {}
        edges: dict[tuple[str, str, str, str], None] = {}
        truncated = False
        for way in directions:
            layers, beyond = await self._walk_bounded(version_id, way, depth)
            truncated = truncated or beyond
            reached = {version_id: 0}
            for distance, layer in enumerate(layers, 1):
                for node in layer:
                    reached.setdefault(node, distance)
            for node, distance in reached.items():
                depths[node] = min(distance, depths.get(node, distance))
            frontier = [node for node, distance in reached.items() if distance < depth]
            toward_start = "PRODUCED" if way is Direction.UPSTREAM else "CONSUMED"
            for row in await self.store.read(
                q.lineage_edges(way.value), {"frontier": frontier, "ids": list(reached)}
            ):
                step, version = row["step_id"], row["artifact_version_id"]
                if row["kind"] == toward_start:
                    distance = reached[version] + 1
                    step_depths[step] = min(distance, step_depths.get(step, distance))
                edges[(row["kind"], step, version, row["name"])] = None
        # Sorted, so the answer does not depend on the order the store returned rows in.
        return LineageGraph(
            artifact_depths=depths,
            step_ids=sorted(step_depths, key=lambda step: (step_depths[step], step)),
            step_depths=step_depths,
            truncated=truncated,
            edges=[
                LineageEdge(kind=kind, step_id=step, artifact_version_id=version, name=name)
                for kind, step, version, name in sorted(edges)
            ],
        )

    async def _walk_bounded(
        self, version_id: str, direction: Direction, depth: int
    ) -> tuple[list[list[str]], bool]:
        """The walk's layers, cut at MAX_LINEAGE_NODES versions, and whether more lies beyond
        the depth limit or the cut (one more hop is read to tell)."""
        layers = [layer[0] for layer in await self._walk([version_id], direction, depth + 1)]
        beyond = len(layers) > depth and bool(layers[depth])
        layers = layers[:depth]
        kept: list[list[str]] = []
        total = 1
        for layer in layers:
            if total + len(layer) > MAX_LINEAGE_NODES:
                kept.append(layer[: MAX_LINEAGE_NODES - total])
                return kept, True
            total += len(layer)
            kept.append(layer)
        return kept, beyond

    async def upstream_version_ids(
        self, version_ids: Sequence[str], depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[list[str]]:
        """For each version, the versions it was derived from within ``depth`` steps."""
        return await self._reach(version_ids, Direction.UPSTREAM, depth)

    async def downstream_version_ids(
        self, version_ids: Sequence[str], depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[list[str]]:
        """For each version, the versions derived from it within ``depth`` steps."""
        return await self._reach(version_ids, Direction.DOWNSTREAM, depth)

    async def upstream_step_ids(
        self, step_ids: Sequence[str], depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[list[str]]:
        """For each step, the steps whose outputs it consumed, transitively to ``depth``."""
        return await self._step_reach(step_ids, Direction.UPSTREAM, depth)

    async def downstream_step_ids(
        self, step_ids: Sequence[str], depth: int = DEFAULT_LINEAGE_DEPTH
    ) -> list[list[str]]:
        """For each step, the steps that consumed its outputs, transitively to ``depth``."""
        return await self._step_reach(step_ids, Direction.DOWNSTREAM, depth)

    async def _walk(
        self, origins: Sequence[str], direction: Direction, depth: int
    ) -> list[list[list[str]]]:
        """Breadth-first along DERIVED_FROM, one batched query per hop for all origins.

        Returns one entry per hop taken: for each origin, the ids of the versions first
        reached then, in id order.
        """
        seen = [{origin} for origin in origins]
        frontier = [[origin] for origin in origins]
        layers: list[list[list[str]]] = []
        closure = (
            self._kept_closure(direction, origins, depth)
            or await self._closure(direction, origins, depth)
            if self.store.prunes_walks
            else None
        )
        for _ in range(depth):
            origins_of: dict[str, list[int]] = defaultdict(list)
            for index, nodes in enumerate(frontier):
                for node in nodes:
                    origins_of[node].append(index)
            if not origins_of:
                break
            reached: list[list[str]] = [[] for _ in origins]
            neighbours = (
                closure
                if closure is not None
                else await self._hops[direction].get_many(
                    list(origins_of), lambda ids: self._hop(direction, ids)
                )
            )
            for source, indexes in origins_of.items():
                for node in neighbours.get(source, ()):
                    for index in indexes:
                        if node not in seen[index]:
                            seen[index].add(node)
                            reached[index].append(node)
            # Sorted, so an answer does not depend on which other origins shared the batch.
            for found in reached:
                found.sort()
            layers.append(reached)
            frontier = reached
        return layers

    def _kept_closure(
        self, direction: Direction, origins: Sequence[str], depth: int
    ) -> dict[str, list[str]] | None:
        """The neighbours a walk from ``origins`` to ``depth`` visits, if every one is kept
        (then the walk costs no round trip); None otherwise."""
        return _visit(self._hops[direction].peek, origins, depth)

    async def _closure(
        self, direction: Direction, origins: Sequence[str], depth: int
    ) -> dict[str, list[str]]:
        """The neighbours of every version a walk from ``origins`` to ``depth`` visits; the
        versions reached and the neighbours of those visited short of the end are kept for
        the next walk."""
        found: dict[str, list[str]] = defaultdict(list)
        if depth > 0 and origins:
            read_at = self._versions.generation()
            hops_at = self._hops[direction].generation()
            query = q.derived_closure(direction.value, depth)
            rows = await self.store.read(query, {"ids": list(origins)})
            for row in rows:
                found[row["source"]].append(row["id"])
            self._versions.prime(read_at, joined_versions(rows))
            complete = _visit(
                lambda nodes: {node: sorted(found.get(node, [])) for node in nodes},
                origins,
                depth,
            )
            # The versions reached short of the end have all their neighbours in the rows.
            self._hops[direction].prime(hops_at, complete or {})
        return found

    async def _hop(self, direction: Direction, ids: list[str]) -> dict[str, list[str]]:
        """Each version's neighbours one step along DERIVED_FROM, in one query."""
        found: dict[str, list[str]] = {key: [] for key in ids}
        for row in await self.store.read(q.DERIVED_HOP[direction.value], {"ids": ids}):
            found[row["source"]].append(row["id"])
        return found

    async def _reach(
        self, version_ids: Sequence[str], direction: Direction, depth: int
    ) -> list[list[str]]:
        check_depth(depth)
        # Walked once per distinct origin: a nested query asks for the same versions many
        # times over, and each asker gets the same (shared, not to be changed) list.
        origins = list(dict.fromkeys(version_ids))
        layers = await self._walk(origins, direction, depth)
        reached = {
            origin: [node for layer in layers for node in layer[index]]
            for index, origin in enumerate(origins)
        }
        if any(len(found) > MAX_LINEAGE_NODES for found in reached.values()):
            raise ResponseTooLargeError(
                f"{direction.value.lower()} of a version reaches more than {MAX_LINEAGE_NODES:,} "
                f"versions within depth {depth}; ask for a smaller depth, or use lineage(), "
                "which stops at that bound and says truncated"
            )
        return [reached[version_id] for version_id in version_ids]

    async def _step_reach(
        self, step_ids: Sequence[str], direction: Direction, depth: int
    ) -> list[list[str]]:
        """Steps next to each step along the data flow, to ``depth`` step hops.

        Upstream: the producers of what the step consumed and of everything those versions
        were derived from within ``depth - 1`` hops; downstream mirrors it.
        """
        check_depth(depth)
        upstream = direction is Direction.UPSTREAM
        touched = await (self.inputs_of_steps if upstream else self.outputs_of_steps)(step_ids)
        starts = [[link.artifact_version_id for link in links] for links in touched]
        flat = [version for versions in starts for version in versions]
        beyond = iter(await self._reach(flat, direction, depth - 1) if depth > 1 else [])
        versions_per_step = [
            set(versions).union(*(next(beyond, []) for _ in versions)) for versions in starts
        ]
        every = sorted(set().union(*versions_per_step)) if versions_per_step else []
        neighbours = await (self.producers_of if upstream else self.consumers_of)(every)
        steps_of = dict(zip(every, neighbours, strict=True))
        return [
            sorted({step for version in found for step in steps_of[version]} - {step_id})
            for step_id, found in zip(step_ids, versions_per_step, strict=True)
        ]


def _visit(
    neighbours_of: Callable[[list[str]], dict[str, list[str]] | None],
    origins: Sequence[str],
    depth: int,
) -> dict[str, list[str]] | None:
    """The neighbours of every version a walk from ``origins`` visits short of ``depth``
    hops, asked of ``neighbours_of`` a hop at a time; None as soon as it answers None."""
    found: dict[str, list[str]] = {}
    frontier = list(dict.fromkeys(origins))
    for _ in range(depth):
        hop = neighbours_of(frontier)
        if hop is None:
            return None
        found.update(hop)
        frontier = list(dict.fromkeys(n for ns in hop.values() for n in ns if n not in found))
        if not frontier:
            break
    return found
