"""Copying a whole store into an empty one (embedded to Neo4j, Neo4j to embedded).

Every node label and relationship type the schema declares (``migrations``) is read in pages
and written in one transaction per page, so memory stays bounded and a copy of any size
keeps its ids, names, times and metadata exactly. The target must hold nothing yet: a copy
into a store with data would mix two histories, so it is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lineageql.errors import BadInputError
from lineageql.graph import queries as q
from lineageql.graph.migrations import NODES, RELS
from lineageql.graph.store import GraphStore, Row, Transaction

PAGE_SIZE = 2_000


@dataclass
class CopyPlan:
    """What a copy will write: node and relationship counts by kind."""

    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[tuple[str, str, str], int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.nodes.values()) + sum(self.relationships.values())


async def plan_copy(source: GraphStore, target: GraphStore) -> CopyPlan:
    """Count what ``source`` holds; refuse (BadInputError) if ``target`` holds anything."""
    held = {node.label: await _count(target, q.node_count(node.label)) for node in NODES}
    present = {label: count for label, count in held.items() if count}
    if present:
        listed = ", ".join(f"{count} {label}" for label, count in sorted(present.items()))
        raise BadInputError(
            f"the target {target.url} already holds data ({listed}); copy into an empty "
            "store (a new file, or an empty Neo4j database)",
            "to",
        )
    return await count_store(source)


async def count_store(store: GraphStore) -> CopyPlan:
    """The nodes by label and the relationships by type and label pair ``store`` holds."""
    plan = CopyPlan()
    for node in NODES:
        plan.nodes[node.label] = await _count(store, q.node_count(node.label))
    for rel in RELS:
        for start, end in rel.pairs:
            key = (rel.type, start, end)
            plan.relationships[key] = await _count(
                store, q.relationship_count(rel.type, start, end)
            )
    return plan


async def copy_store(
    source: GraphStore, target: GraphStore, plan: CopyPlan, advance: Callable[[int], None]
) -> None:
    """Write everything ``plan`` counted from ``source`` into ``target``; ``advance`` hears
    how many nodes and relationships each written page held."""
    for node in NODES:
        if plan.nodes[node.label]:
            await _copy_nodes(source, target, node.label, advance)
    for (rel, start, end), count in plan.relationships.items():
        if count:
            await _copy_relationships(source, target, rel, start, end, advance)


async def _copy_nodes(
    source: GraphStore, target: GraphStore, label: str, advance: Callable[[int], None]
) -> None:
    after = ""
    while True:
        rows = await source.read(q.node_page(label), {"after": after, "limit": PAGE_SIZE})
        if not rows:
            return
        await _write(target, q.create_nodes(label), rows)
        advance(len(rows))
        after = rows[-1]["id"]


async def _copy_relationships(
    source: GraphStore,
    target: GraphStore,
    rel: str,
    start: str,
    end: str,
    advance: Callable[[int], None],
) -> None:
    """Page through the start nodes; copy the relationships leaving each page."""
    after = ""
    while True:
        ids = await source.read(q.node_ids_page(start), {"after": after, "limit": PAGE_SIZE})
        if not ids:
            return
        keys = [row["id"] for row in ids]
        rows = await source.read(q.relationship_page(rel, start, end), {"ids": keys})
        if rows:
            await _write(target, q.create_relationships(rel, start, end), rows)
            advance(len(rows))
        after = keys[-1]


async def _write(target: GraphStore, query: str, rows: list[Row]) -> None:
    async def work(tx: Transaction) -> None:
        await tx.run(query, {"rows": rows})

    await target.write(work)


async def _count(store: GraphStore, query: str) -> int:
    [row] = await store.read(query)
    return int(row["total"])
