"""``FieldReads``: the fields' fetches (``lineageql.readpath.fields``) for the schema's
resolvers, made per request, each batching the parents that ask for one field with the same
arguments at the same moment into one fetch."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from strawberry.dataloader import DataLoader

from lineageql.graph import LineageRepository
from lineageql.readpath.fields import TYPES, Fetch

LoaderKey = tuple[str, str, tuple[tuple[str, Any], ...]]


class SharedDataLoader(DataLoader[Any, Any]):
    """A DataLoader whose answers one cancelled caller cannot cancel for the others.

    Every caller of ``load(key)`` awaits one shared future. When graphql-core gives up on a
    branch (a required field failed) it cancels that branch's tasks, and cancelling a task
    cancels the future it awaits, so another branch awaiting the same key would get a
    CancelledError that escapes the whole execution. Each caller awaits a shield instead.
    """

    def load(self, key: Any) -> Awaitable[Any]:
        return asyncio.shield(super().load(key))


def _parent_key(parent: Any) -> Any:
    """Records are the same parent when their ids are; other values when they are one object."""
    return getattr(parent, "id", None) or id(parent)


class _FieldLoader:
    """One field's loader: keyed by each parent's key, remembering the parents it met."""

    def __init__(self, repo: LineageRepository, fetch: Fetch, args: dict[str, Any]) -> None:
        self._parents: dict[Any, Any] = {}

        async def load(keys: list[Any]) -> list[Any]:
            return await fetch(repo, [self._parents[key] for key in keys], args)

        self._loader = SharedDataLoader(load_fn=load)

    def load(self, parent: Any) -> Awaitable[Any]:
        key = _parent_key(parent)
        self._parents[key] = parent
        return self._loader.load(key)

    def prime(self, parent: Any, value: Any) -> None:
        self._loader.prime(_parent_key(parent), value)


class FieldReads:
    """Per request: one loader per (type, field, arguments), made when first asked for."""

    def __init__(self, repo: LineageRepository) -> None:
        self._repo = repo
        self._loaders: dict[LoaderKey, _FieldLoader] = {}

    def load(self, typename: str, field: str, parent: Any, args: dict[str, Any]) -> Awaitable[Any]:
        """``field`` of ``parent`` (a ``typename``): its value, or its error raised."""
        return self._loader(typename, field, args).load(parent)

    def prime(
        self, typename: str, field: str, parent: Any, value: Any, args: dict[str, Any] | None = None
    ) -> None:
        """Answer ``field`` of ``parent`` with ``value`` (what a write just returned)."""
        self._loader(typename, field, args or {}).prime(parent, value)

    def _loader(self, typename: str, field: str, args: dict[str, Any]) -> _FieldLoader:
        key = (typename, field, tuple(sorted(args.items())))
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = _FieldLoader(
                self._repo, TYPES[typename].relations[field], args
            )
        return loader
