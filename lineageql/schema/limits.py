"""Limits every document must respect, checked during validation.

The rule classes are made once, so the validation cache (keyed by document and rules)
answers a repeated document without validating it again.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import ASTValidationRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, SchemaExtension
from strawberry.extensions import ValidationCache as StrawberryValidationCache
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

MAX_QUERY_DEPTH = 12
MAX_ALIASES = 50
MAX_TOKENS = 5_000
CACHED_DOCUMENTS = 256
"""Parsed and validated documents kept: tools send the same documents with new variables."""

_RULES: list[type[ASTValidationRule]] = [
    depth_rule(MAX_QUERY_DEPTH, should_ignore=None),
    aliases_rule(MAX_ALIASES),
]


class DocumentLimits(AddValidationRules):
    """Query depth and alias count limits (too deep or too many: a validation error)."""

    def __init__(self) -> None:
        super().__init__(_RULES)


def limit_extensions() -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    """The extension factories, in the order they must run."""
    return [
        DocumentLimits,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: StrawberryValidationCache(maxsize=CACHED_DOCUMENTS),
    ]
