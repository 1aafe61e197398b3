"""Log each mapper problem once, and count it.

Sources re-map an object on every change and every re-list; logging its problems each time would
flood the log. So each object's current problems are remembered (for a bounded number of objects):
a problem is logged as a WARNING naming kind namespace/name and the reason, and counted in
`startpunkt_objects_skipped`, when it first appears. It is forgotten when the object maps without
it or is deleted, so a problem that comes back is logged again.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable, Iterable

from startpunkt import metrics
from startpunkt.mappers import Problem

MAX_OBJECTS = 4096
"""Objects whose problems are remembered; past that the least recently seen are forgotten."""


def describe(problem: Problem) -> str:
    """`Ingress media/plex: location: 'abc' is not an integer` (reasons name their field)."""
    return f"{problem.kind} {problem.namespace}/{problem.name}: {problem.reason}"


class ProblemLog:
    """The problems currently known per object, logged and counted as they appear."""

    def __init__(self, logger: logging.Logger, *, max_objects: int = MAX_OBJECTS) -> None:
        self._log = logger
        self._max = max_objects
        self._known: OrderedDict[Hashable, frozenset[Problem]] = OrderedDict()

    def observe(
        self, key: Hashable, problems: Iterable[Problem], *, where: str | None = None
    ) -> None:
        """Record everything now wrong with object `key`; log and count what is new.

        `key` identifies the object for its source (say kind, namespace and name); `where` says
        where it came from (a file path) when that helps the reader of the log.
        """
        current = frozenset(problems)
        previous = self._known.pop(key, frozenset())
        for problem in sorted(current - previous, key=describe):
            suffix = f" (in {where})" if where else ""
            self._log.warning("%s%s", describe(problem), suffix)
            metrics.objects_skipped.labels(kind=problem.kind, reason=reason_label(problem)).inc()
        if current:
            self._known[key] = current
            while len(self._known) > self._max:
                self._known.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        """The object is gone: its problems, if it comes back with them, are news again."""
        self._known.pop(key, None)

    def __len__(self) -> int:
        return len(self._known)


def reason_label(problem: Problem) -> str:
    """A bounded metric label: the field that was defaulted, or "object" when it was skipped.

    Reasons are free text that may quote values; as labels they would grow without bound.
    """
    return problem.field or "object"
