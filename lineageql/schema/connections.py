"""Relay-style connections: ``edges { cursor node }``, ``pageInfo`` and ``totalCount``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from lineageql.graph.listing import Page

NodeT = TypeVar("NodeT")
RecordT = TypeVar("RecordT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: Page[RecordT], wrap: Callable[[RecordT], NodeT]) -> Connection[NodeT]:
        return cls(
            edges=[
                Edge(cursor=cursor, node=wrap(item))
                for cursor, item in zip(page.cursors, page.items, strict=True)
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )
