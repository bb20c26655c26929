"""The graph layer: the only code in lineageql that speaks Cypher."""

from lineageql.graph.connect import open_store
from lineageql.graph.repository import Direction, LineageRepository, NodeKind
from lineageql.graph.store import GraphStore

__all__ = ["Direction", "GraphStore", "LineageRepository", "NodeKind", "open_store"]
