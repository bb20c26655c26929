"""Limits every document must respect, checked during validation.

The rule classes are made once, so the validation cache (keyed by document and rules)
answers a repeated document without validating it again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, SchemaExtension
from strawberry.extensions import ValidationCache as StrawberryValidationCache
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

MAX_QUERY_DEPTH = 12
MAX_ALIASES = 50
MAX_TOKENS = 5_000
MAX_SELECTIONS = 2_000
"""Fields a document may select, each fragment counted wherever it is spread."""
MAX_REPEATS = 20
"""Times one response name may be selected in one selection set: validation compares every
pair of them, so its cost grows with the square of the repeats."""
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


class BoundedValidation(StrawberryValidationCache):
    """Validation, cached; a document over MAX_SELECTIONS or MAX_REPEATS is refused before
    validation runs, in time that grows with the document's length alone."""

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        problem = None if document is None else selection_problem(document)
        if problem is not None:
            self.execution_context.pre_execution_errors = [GraphQLError(problem)]
            yield
            return
        yield from super().on_validate()


def selection_problem(document: DocumentNode) -> str | None:
    """What makes ``document`` select too many fields, or None."""
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    sizes: dict[int, int] = {}

    def flatten(selections: SelectionSetNode | None, seen: frozenset[str]) -> list[FieldNode]:
        """The fields of one selection set, fragments spread in place (a cycle, which
        validation reports, spreads nothing)."""
        fields: list[FieldNode] = []
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                fields.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                fields.extend(flatten(selection.selection_set, seen))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:
                    fields.extend(flatten(fragments[name].selection_set, seen | {name}))
            if len(fields) > MAX_SELECTIONS:
                break
        return fields

    def count(selections: SelectionSetNode | None, seen: frozenset[str]) -> int:
        fields = flatten(selections, seen)
        repeated = Counter((f.alias or f.name).value for f in fields).most_common(1)
        if repeated and repeated[0][1] > MAX_REPEATS:
            raise _TooMany(
                f"{repeated[0][0]!r} is selected {repeated[0][1]} times in one selection set; "
                f"at most {MAX_REPEATS} are allowed"
            )
        total = len(fields)
        for field in fields:
            if total > MAX_SELECTIONS:
                break
            if field.selection_set is not None:
                key = id(field)
                if key not in sizes:
                    sizes[key] = count(field.selection_set, seen)
                total += sizes[key]
        return total

    try:
        total = sum(
            count(node.selection_set, frozenset())
            for node in document.definitions
            if not isinstance(node, FragmentDefinitionNode) and hasattr(node, "selection_set")
        )
    except _TooMany as error:
        return str(error)
    if total > MAX_SELECTIONS:
        return f"the document selects more than {MAX_SELECTIONS:,} fields"
    return None


class _TooMany(Exception):
    pass


def limit_extensions() -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    """The extension factories, in the order they must run."""
    return [
        DocumentLimits,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: BoundedValidation(maxsize=CACHED_DOCUMENTS),
    ]
