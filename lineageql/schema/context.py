"""What every resolver gets: the repository, the artifact store, this request's field reads, and
what the caller may do."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.types import Info as StrawberryInfo

from lineageql.artifacts import ArtifactStore
from lineageql.budget import ResponseBudget
from lineageql.graph import LineageRepository
from lineageql.readpath import FieldReads


@dataclass
class Context:
    """Per-request state; the field reads are new for each request, so nothing leaks between."""

    repo: LineageRepository
    artifact_store: ArtifactStore
    may_read: bool = True
    may_write: bool = True
    actor: str | None = None
    """Who the caller's token says they are (a fingerprint); None without tokens."""
    fast_reads: bool = True
    """Answer known query selections through ``lineageql.readpath`` (off: resolvers only)."""
    planned_roots: int = 0
    """Root fields the read path answered (tests and benchmarks read it)."""
    connection_params: dict[str, object] | None = None
    """A WebSocket's connection_init payload (where a browser sends its token)."""
    budget: ResponseBudget = field(default_factory=ResponseBudget)
    """How many objects this request may still answer (``lineageql.budget``)."""
    field_reads: FieldReads = field(init=False)
    """The resolvers' batched reads (``lineageql.readpath.field_reads``), new per request."""

    def __post_init__(self) -> None:
        self.field_reads = FieldReads(self.repo)


Info = StrawberryInfo[Context, None]
