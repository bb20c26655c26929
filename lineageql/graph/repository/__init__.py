"""The lineage repository: every read and write the API and the SDK make, on any store.

Split by concern: ``keyed_reads`` (records and children by key, batch-first), ``listings``
(filtered, paged lists), ``lineage`` (walks along DERIVED_FROM), ``columns`` (versions'
columns and walks along COLUMN_FROM), ``job_graph`` (the job and dataset view OpenLineage and
Marquez use), ``writes`` (one transaction each), ``bulk`` (whole runs at once), ``ingest``
(other systems' lineage events, applied idempotently, a batch at a time as ``event_batch``
works out in memory), ``declarations`` (what jobs and datasets declare outside runs), over
``base`` (the store, its caches and batched-read helpers) and ``rows`` (stored rows to
records). The model registry (``models``) is its own part beside them, as ``.models``.
"""

from lineageql.graph.repository.base import (
    DEFAULT_LINEAGE_DEPTH,
    MAX_LINEAGE_DEPTH,
    MAX_LINEAGE_NODES,
    MAX_PREFIX_CANDIDATES,
    Direction,
    NodeKind,
)
from lineageql.graph.repository.bulk import BulkWrites
from lineageql.graph.repository.columns import ColumnReads
from lineageql.graph.repository.declarations import DeclarationWrites
from lineageql.graph.repository.ingest import IngestWrites
from lineageql.graph.repository.job_graph import JobGraphReads
from lineageql.graph.repository.listings import Listings
from lineageql.graph.repository.models import ModelRegistry
from lineageql.graph.repository.writes import FinishedStep
from lineageql.graph.store import GraphStore


class LineageRepository(
    BulkWrites, IngestWrites, DeclarationWrites, ColumnReads, JobGraphReads, Listings
):
    """Typed, batched access to the lineage graph in one store; ``models`` is its model
    registry, over the same store."""

    def __init__(self, store: GraphStore) -> None:
        super().__init__(store)
        self.models = ModelRegistry(store)


__all__ = [
    "DEFAULT_LINEAGE_DEPTH",
    "MAX_LINEAGE_DEPTH",
    "MAX_LINEAGE_NODES",
    "MAX_PREFIX_CANDIDATES",
    "Direction",
    "FinishedStep",
    "LineageRepository",
    "ModelRegistry",
    "NodeKind",
]
