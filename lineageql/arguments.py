"""Checks of query arguments shared by the GraphQL resolvers and the read path."""

from __future__ import annotations

from datetime import datetime

from lineageql.errors import BadInputError
from lineageql.records import format_time


def stored_time(moment: datetime | None) -> str | None:
    """A GraphQL DateTime argument in the stored timestamp form (None stays None)."""
    return format_time(moment) if moment is not None else None


def one_of(**given: object) -> str:
    """The name of the one argument given, or a BadInputError."""
    named = [name for name, value in given.items() if value is not None]
    if len(named) != 1:
        raise BadInputError(f"give exactly one of {', '.join(given)}; got {len(named)}")
    return named[0]
