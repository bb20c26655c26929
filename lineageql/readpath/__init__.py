"""The read path: each field's data access declared once, and the executor that plans with it.

``fields.TYPES`` and ``roots.ROOTS`` say what every object field and root query field
answers: scalars read off a record, other fields fetched for many parents in one batch.
``PlannedExecutor`` replaces graphql-core's executor for the schema: for each root field of a
query whose whole selection it knows, it reads level by level (every run of the page at once,
then every step of those runs, ...) and builds the response dicts directly, without a
resolver call, awaitable or DataLoader per field. Anything else (mutations, subscriptions, a
field that fails) goes through the schema's resolvers, which fetch through ``FieldReads``
from the same table, so answers and errors are the same either way;
``tests/test_read_path.py`` holds the two side by side.
"""

from lineageql.readpath.executor import PlannedExecutor
from lineageql.readpath.field_reads import FieldReads
from lineageql.readpath.fields import TYPES
from lineageql.readpath.roots import ROOTS

__all__ = ["ROOTS", "TYPES", "FieldReads", "PlannedExecutor"]
