"""What every resolver gets: the repository and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.types import Info as StrawberryInfo

from lineageql.graph import LineageRepository
from lineageql.loaders import Loaders


@dataclass
class Context:
    """Per-request state; the loaders are new for each request, so nothing leaks between."""

    repo: LineageRepository
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders.build(self.repo)


Info = StrawberryInfo[Context, None]
