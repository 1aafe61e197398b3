"""Mappers: pure functions from a cluster object (a plain dict) to items.

No flask, gevent or kubernetes here: plain dicts in, frozen dataclasses out. A field that cannot
be used is defaulted and reported as a `Problem`; an object that cannot be used at all maps to no
item and a `Problem`. The caller (a source) logs problems and counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from startpunkt.config import Settings
from startpunkt.model import Item


@dataclass(frozen=True)
class Problem:
    """Something wrong with one object, for a WARNING naming it."""

    kind: str
    namespace: str
    name: str
    reason: str
    field: str | None = None


@dataclass(frozen=True)
class Mapped:
    """What one object maps to: zero or one item, and what was wrong with it."""

    items: tuple[Item, ...] = ()
    problems: tuple[Problem, ...] = ()


def map_object(obj: dict[str, Any], settings: Settings) -> Mapped:
    """Map any supported object (dispatching on apiVersion group and kind).

    Unsupported kinds map to nothing, silently. Kind switches (`ingress.enabled` …), the
    namespace selector and `onlyAnnotated` are applied here so every source behaves alike.
    """
    raise NotImplementedError
