"""``PlannedExecutor``: graphql-core's executor, answering known query selections itself,
and keeping every query within its whole-answer bound (``lineageql.budget``): a root field
whose selection could answer more objects than the bound, counting each page at its size,
is refused before anything is read, and every object answered, by either path, is counted
as it is built."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    OperationType,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path, Undefined, UndefinedType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments

from lineageql.budget import ResponseBudget, current_budget
from lineageql.errors import ResponseTooLargeError
from lineageql.graph import LineageRepository
from lineageql.graph.listing import DEFAULT_PAGE_SIZE
from lineageql.graph.repository.base import MAX_LINEAGE_NODES
from lineageql.readpath.fields import TYPES
from lineageql.readpath.roots import ROOTS

FieldDetailsList = list[FieldDetails]

SLICE_SECONDS = 0.01
"""The longest stretch of building an answer without returning to the event loop, so that a
large answer never keeps /health and small queries waiting longer than that."""

WALK_ROOTS = frozenset({"lineage", "lineageDiff", "columnLineage"})
"""Root fields that walk lineage whatever they select: each may read up to MAX_LINEAGE_NODES
versions and their steps (twice, for a diff), counted against the bound before it runs."""


class _Unplanned(Exception):
    """The read path met a value it does not answer itself (a null where GraphQL wants a
    value); the ordinary resolvers take the root field over."""


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    """Runs a query's root fields through the read path when it knows their whole selection
    and the context offers a repository (``context.repo``) with ``context.fast_reads`` on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._estimated = 0
        """Objects the operation's root fields so far must answer at least."""
        self._slice_started = time.perf_counter()
        """When the current stretch of building without a pause began."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        if path.prev is None and self.operation.operation is OperationType.QUERY:
            refusal = self._over_bound(parent_type, field_details_list)
            if refusal is not None:
                field_def = parent_type.fields[field_details_list[0].node.name.value]
                self.handle_field_error(refusal, field_def.type, field_details_list, path)
                return None
        if path.prev is None and self._may_plan():
            name = field_details_list[0].node.name.value
            field_def = parent_type.fields.get(name)
            if (
                name in ROOTS
                and field_def is not None
                and self._known(field_def.type, field_details_list)
            ):
                return self._planned(
                    parent_type, source, field_details_list, path, position_context
                )
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    @property
    def _budget(self) -> ResponseBudget | None:
        budget = getattr(self.context_value, "budget", None)
        return budget if isinstance(budget, ResponseBudget) else None

    def _over_bound(
        self, parent_type: GraphQLObjectType, details: FieldDetailsList
    ) -> ResponseTooLargeError | None:
        """The error refusing a root field whose selection could answer more objects than
        the bound left after the operation's earlier root fields (counting each connection
        page at its size and lineage walks at their limit); None when it fits."""
        budget = self._budget
        field_def = parent_type.fields.get(details[0].node.name.value)
        if budget is None or field_def is None:
            return None
        estimate = self._estimate(field_def, details, 1)
        if details[0].node.name.value in WALK_ROOTS:
            estimate += 2 * MAX_LINEAGE_NODES
        self._estimated += estimate
        return budget.exceeded() if self._estimated > budget.limit else None

    def _estimate(self, field_def: GraphQLField, details: FieldDetailsList, multiplier: int) -> int:
        """The objects a field answers at least, ``multiplier`` times over: its object once,
        a connection's edges and nodes as many times as its page size (lists of unknown length
        count once)."""
        named = get_named_type(field_def.type)
        if is_leaf_type(named):
            return 0
        object_types: list[GraphQLObjectType] = (
            list(self.schema.get_possible_types(named)) if is_abstract_type(named) else [named]  # type: ignore[list-item]
        )
        inner = multiplier * self._page_size(field_def, details[0])
        most = 0
        for object_type in object_types:
            total = multiplier
            subfields = self.collect_subfields(object_type, details).grouped_field_set
            for sub in subfields.values():
                sub_def = object_type.fields.get(sub[0].node.name.value)
                if sub_def is not None:
                    total += self._estimate(sub_def, sub, inner)
            most = max(most, total)
        return most

    def _page_size(self, field_def: GraphQLField, first: FieldDetails) -> int:
        """A connection's page size (its ``first``, or the default); 1 for other fields."""
        if "first" not in field_def.args:
            return 1
        try:
            size = self._arguments(field_def, first).get("first", DEFAULT_PAGE_SIZE)
        except Exception:  # a bad argument is reported where the field runs
            return 1
        return size if isinstance(size, int) and size > 0 else 1

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """The resolvers' objects, each counted against the bound (list items with their
        list); past a time slice, completion waits for the event loop's other work first."""
        budget = self._budget
        if budget is not None and not isinstance(path.key, int):
            budget.charge(1)
        complete = super().complete_object_value
        if self._slice_over():
            return self._after_pause(
                complete, return_type, field_details_list, info, path, result, position_context
            )
        return complete(return_type, field_details_list, info, path, result, position_context)

    def _slice_over(self) -> bool:
        return time.perf_counter() - self._slice_started > SLICE_SECONDS

    async def _pause(self) -> None:
        """Let the event loop run other work; the first to resume starts a new slice."""
        await asyncio.sleep(0)
        if self._slice_over():
            self._slice_started = time.perf_counter()

    async def _after_pause(
        self, complete: Callable[..., AwaitableOrValue[dict[str, Any]]], *args: Any
    ) -> dict[str, Any]:
        await self._pause()
        completed = complete(*args)
        if self.is_awaitable(completed):
            return await cast(Awaitable[dict[str, Any]], completed)
        return cast(dict[str, Any], completed)

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        """A resolver's list of objects is counted against the bound before any of its
        items is completed (so one that would pass it is never built)."""
        budget = self._budget
        if (
            budget is not None
            and isinstance(result, list | tuple)
            and not is_leaf_type(get_named_type(return_type))
        ):
            budget.charge(sum(item is not None for item in result))
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _may_plan(self) -> bool:
        return (
            self.operation.operation is OperationType.QUERY
            and getattr(self.context_value, "fast_reads", False)
            and isinstance(getattr(self.context_value, "repo", None), LineageRepository)
        )

    def _known(self, field_type: GraphQLOutputType, details: FieldDetailsList) -> bool:
        """Whether the read path answers every field selected under ``details``."""
        if any(d.defer_usage is not None for d in details):
            return False
        named = get_named_type(field_type)
        if is_leaf_type(named):
            return True
        if isinstance(named, GraphQLInterfaceType):
            possible = self.schema.get_possible_types(named)
            return all(self._known(object_type, details) for object_type in possible)
        spec = TYPES.get(named.name)
        if spec is None or not isinstance(named, GraphQLObjectType):
            return False
        for sub in self.collect_subfields(named, details).grouped_field_set.values():
            name = sub[0].node.name.value
            if name == "__typename" or name in spec.scalars:
                continue
            if name not in spec.relations or not self._known(named.fields[name].type, sub):
                return False
        return True

    async def _planned(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        details: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = details[0].node
        field_def = parent_type.fields[node.name.value]
        share = (self._budget or ResponseBudget()).share()
        token = current_budget.set(share)
        try:
            args = self._arguments(field_def, details[0])
            found = await ROOTS[node.name.value](self.context_value.repo, **args)
            [value] = await self._complete(field_def.type, [found], details)
        except ResponseTooLargeError as error:
            self.handle_field_error(error, field_def.type, details, path)
            return None
        except Exception:
            share.refund()
            result = super().execute_field(parent_type, source, details, path, position_context)
            if result is Undefined:
                return None
            return await result if self.is_awaitable(result) else result
        finally:
            current_budget.reset(token)
        self.context_value.planned_roots += 1
        return value

    def _arguments(self, field_def: GraphQLField, first: FieldDetails) -> dict[str, Any]:
        """The field's arguments as its resolver gets them: Python names, input objects
        built, enums and scalars parsed (Strawberry's own conversion)."""
        if not field_def.args and not first.node.arguments:
            return {}
        raw = get_argument_values(
            field_def,
            first.node,
            self.variable_values,
            first.fragment_variable_values,
            self.hide_suggestions,
        )
        strawberry_schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
        return convert_arguments(
            raw,
            field_def.extensions[GraphQLCoreConverter.DEFINITION_BACKREF].arguments,
            scalar_registry=strawberry_schema.schema_converter.scalar_registry,
            config=strawberry_schema.config,
        )

    async def _complete(
        self, field_type: GraphQLOutputType, values: list[Any], details: FieldDetailsList
    ) -> list[Any]:
        """Each of ``values`` (one per parent) completed as ``field_type``."""
        required = isinstance(field_type, GraphQLNonNull)
        inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
        if required and any(value is None for value in values):
            raise _Unplanned(f"null for {field_type}")
        if isinstance(inner, GraphQLList):
            items = [item for value in values if value is not None for item in value]
            done = iter(await self._complete(inner.of_type, items, details))
            return [None if value is None else [next(done) for _ in value] for value in values]
        if is_leaf_type(inner):
            serialize = inner.serialize
            return [None if value is None else serialize(value) for value in values]
        present = [value for value in values if value is not None]
        budget = current_budget.get()
        if budget is not None:
            budget.charge(len(present))
        if self._slice_over():
            await self._pause()
        if is_abstract_type(inner):
            resolved = await self._resolve_each_type(present, details)
        else:
            resolved = await self._resolve(inner, present, details)  # type: ignore[arg-type]
        objects = iter(resolved)
        return [None if value is None else next(objects) for value in values]

    async def _resolve_each_type(
        self, values: list[Any], details: FieldDetailsList
    ) -> list[dict[str, Any]]:
        """Values of an interface, each group resolved as the object type its ``typename``
        names (the read path's interface values carry it)."""
        positions: dict[str, list[int]] = {}
        for position, value in enumerate(values):
            positions.setdefault(value.typename, []).append(position)
        answers: list[dict[str, Any]] = [{} for _ in values]
        for typename, group in positions.items():
            object_type = self.schema.get_type(typename)
            assert isinstance(object_type, GraphQLObjectType)
            resolved = await self._resolve(object_type, [values[i] for i in group], details)
            for position, answer in zip(group, resolved, strict=True):
                answers[position] = answer
        return answers

    async def _resolve(
        self, object_type: GraphQLObjectType, parents: list[Any], details: FieldDetailsList
    ) -> list[dict[str, Any]]:
        """The response dicts of ``parents``: scalars read off each, each relation fetched
        for all of them at once."""
        spec = TYPES[object_type.name]
        answers: list[dict[str, Any]] = [{} for _ in parents]
        if not parents:
            return answers
        repo = self.context_value.repo
        for key, sub in self.collect_subfields(object_type, details).grouped_field_set.items():
            if self._slice_over():
                await self._pause()
            name = sub[0].node.name.value
            if name == "__typename":
                for answer in answers:
                    answer[key] = object_type.name
                continue
            field_def = object_type.fields[name]
            getter = spec.scalars.get(name)
            if getter is not None:
                values = [getter(parent) for parent in parents]
            else:
                args = self._arguments(field_def, sub[0])
                values = await spec.relations[name](repo, parents, args)
                failed = next((v for v in values if isinstance(v, Exception)), None)
                if failed is not None:
                    raise failed  # the resolvers report it where GraphQL wants it
            for answer, value in zip(
                answers, await self._complete(field_def.type, values, sub), strict=True
            ):
                answer[key] = value
        return answers
