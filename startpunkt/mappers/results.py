"""What mapping one object produced: its item, and what was wrong on the way.

A `Problem` names the object and, when only one field could not be used, that field; a problem
without a field means the object gave no item at all. A `Report` collects problems while one
object is mapped, so mappers never decide how problems are logged or counted (the source does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from startpunkt import model, quoting

_SHOWN_CHARS = 60
"""Long values are cut in problem reasons: a log line must stay readable."""
MAX_FIELD_LENGTH = 2048
"""Characters of one field when the settings say nothing (`limits.maxFieldLength`)."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with one object, for a WARNING naming it."""

    kind: str
    namespace: str
    name: str
    reason: str
    field: str | None = None
    """The unusable field; None when the whole object was skipped."""


@dataclass(frozen=True)
class Mapped:
    """What one object maps to: zero or one item, and what was wrong with it."""

    items: tuple[model.Item, ...] = ()
    problems: tuple[Problem, ...] = ()
    skipped: str | None = field(default=None, compare=False)
    """Why there is no item although nothing is wrong with the object (its kind is not read or
    is switched off, another namespace, not opted in): for `startpunkt check`, never logged.
    Not compared: it explains a result, it is not part of it."""


@dataclass(frozen=True)
class Subject:
    """The object being mapped: which source it feeds and where it lives."""

    source: str
    namespace: str
    name: str

    @property
    def id(self) -> str:
        """The id of the item this object maps to."""
        return model.item_id(self.source, self.namespace, self.name)


class Report:
    """Problems found while mapping one object, and the field length allowed while doing it."""

    def __init__(self, subject: Subject, *, max_length: int = MAX_FIELD_LENGTH) -> None:
        self.subject = subject
        self.max_length = max_length
        """Characters a field may have (`limits.maxFieldLength`): untrusted text is capped."""
        self._problems: list[Problem] = []

    def bad_field(self, field: str, reason: str) -> None:
        """A field that was defaulted or ignored; `reason` reads after the field name."""
        self._problems.append(self._problem(f"{field}: {reason}", field))

    def skipped(self, reason: str) -> None:
        """The object gives no item."""
        self._problems.append(self._problem(reason, None))

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(self._problems)

    def _problem(self, reason: str, field: str | None) -> Problem:
        s = self.subject
        return Problem(s.source, s.namespace, s.name, reason, field)


def show(value: Any) -> str:
    """A value as quoted in a reason: its repr, cut short, never built in full.

    A YAML alias bomb is a small structure whose full repr is gigabytes (`quoting`).
    """
    return quoting.quote(value, _SHOWN_CHARS)
