"""The fast read path: known query selections answered by one batched read per level.

``PlannedExecutor`` replaces graphql-core's executor for the schema. For each root field of a
query whose whole selection it knows, it reads level by level (every run of the page at once,
then every step of those runs, ...) and builds the response dicts directly, without a
resolver call, awaitable or DataLoader per field. Anything else (mutations, fields it does
not know, and any field that fails) goes through the ordinary resolvers, so answers and
errors are the same either way; ``tests/test_read_path.py`` holds the two side by side.
"""

from lineageql.readpath.executor import PlannedExecutor

__all__ = ["PlannedExecutor"]
