"""The whole-answer bound: how many objects one query may answer, counted across every list
and nesting level, so that a short query cannot grow an answer (and the server's memory)
without limit.

Each request's ``Context`` holds a ``ResponseBudget``. The read path and the resolvers
``charge`` it for every object they answer, and ``check`` it before building a list that
alone would pass the bound; code below them (the read path's fetches) finds the budget of
the root field it works for in ``current_budget``.
"""

from __future__ import annotations

from contextvars import ContextVar

from lineageql.errors import ResponseTooLargeError

DEFAULT_MAX_RESPONSE_OBJECTS = 50_000
"""The default bound (``LINEAGEQL_MAX_RESPONSE_OBJECTS``): every query the explorer, the
client and the README send stays far below it on histories of thousands of runs."""


class ResponseBudget:
    """Objects answered so far against a bound. A ``share`` counts one part of the answer
    (a root field) towards its whole, and can be ``refund``ed if that part is answered
    again another way."""

    def __init__(self, limit: int = DEFAULT_MAX_RESPONSE_OBJECTS) -> None:
        self.limit = limit
        self.spent = 0
        self._whole: ResponseBudget = self

    def share(self) -> ResponseBudget:
        part = ResponseBudget(self.limit)
        part._whole = self._whole
        return part

    def charge(self, count: int) -> None:
        """Count ``count`` more objects; past the bound, a ResponseTooLargeError."""
        self.spent += count
        whole = self._whole
        if whole is not self:
            whole.spent += count
        if whole.spent > self.limit:
            raise self.exceeded()

    def check(self, count: int) -> None:
        """A ResponseTooLargeError if ``count`` more objects would pass the bound, before
        they are built (nothing is counted)."""
        if self._whole.spent + count > self.limit:
            raise self.exceeded()

    def refund(self) -> None:
        """Take back what this share counted."""
        if self._whole is not self:
            self._whole.spent -= self.spent
        self.spent = 0

    def exceeded(self) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"the answer would hold more than {self.limit:,} objects (the server's "
            "LINEAGEQL_MAX_RESPONSE_OBJECTS); ask for less: smaller pages (first), a smaller "
            "depth, fewer nested upstream/downstream lists or fewer aliases"
        )


current_budget: ContextVar[ResponseBudget | None] = ContextVar("current_budget", default=None)
"""The budget of the root field being answered in this task, for code that is handed no
context (the read path's fetches)."""


def check_budget(count: int) -> None:
    """``current_budget``'s check, where one is set."""
    budget = current_budget.get()
    if budget is not None:
        budget.check(count)
