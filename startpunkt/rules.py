"""What a configuration value may be: one rule per kind of constraint, checked and described.

Each key of `startpunkt.config` names its rule in its field's metadata. The loader asks the rule
whether a value may be used and, when it may not, says in one line what is allowed, in the
rule's own words; the README's configuration table shows the same words. So what the loader
enforces and what the documentation says come from one place. Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from startpunkt import i18n, safe

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
"""A namespace name: what the API server accepts."""
CLUSTER_NAME_PATTERN = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")
"""A cluster name: it prefixes item ids (`west:ingress/media/plex`), so no colon or slash."""
_ORIGIN = re.compile(r"https?://[^/?#\s]+", re.IGNORECASE)
_SEGMENTS = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+")
"""Path segments of characters allowed in a URL path, none empty (as `web.prefix` reads them)."""


class Rule(Protocol):
    def check(self, value: Any) -> bool:
        """Whether `value` (converted to the key's type) may be used."""

    def allowed(self) -> str:
        """What the rule accepts, as the end of "expected ..."."""


def seconds(value: float) -> str:
    """`0.5` → `500ms`, `30` → `30s`, `3600` → `1h`: a duration as configuration writes it."""
    if value == 0:
        return "0s"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if value >= size and float(value / size).is_integer():
            return f"{int(value // size)}{unit}"
    if (value * 1000).is_integer():
        return f"{int(value * 1000)}ms"
    return f"{value:g}s"


@dataclass(frozen=True)
class Range:
    """A number from `low` to `high` (either may be open-ended), in `unit`.

    `unit="duration"` shows bounds as durations (`1s`, `1h`); `above` makes `low` exclusive
    (more than zero, where any positive value works).
    """

    low: float | None = None
    high: float | None = None
    unit: str = ""
    above: bool = False
    whole: bool = False

    def check(self, value: Any) -> bool:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            return False
        return self.high is None or value <= self.high

    def allowed(self) -> str:
        low = None if self.low is None else self._show(self.low)
        high = None if self.high is None else self._show(self.high)
        if self.above:
            text = f"more than {low}" + (f", at most {high}" if high else "")
        elif low is not None and high is not None:
            text = f"from {low} to {high}"
        elif low is not None:
            text = f"at least {low}"
        else:
            text = f"at most {high}"
        if self.unit == "duration":
            return f"a duration {text}"
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} {text}" + (f" ({self.unit})" if self.unit else "")

    def _show(self, bound: float) -> str:
        if self.unit == "duration":
            return seconds(bound)
        return f"{bound:,.0f}" if float(bound).is_integer() else f"{bound:g}"


@dataclass(frozen=True)
class OneOf:
    """One of a fixed set of values (compared as given)."""

    choices: tuple[Any, ...]

    def check(self, value: Any) -> bool:
        return value in self.choices

    def allowed(self) -> str:
        shown = [str(c).lower() if isinstance(c, bool) else str(c) for c in self.choices]
        return " or ".join(shown) if len(shown) <= 2 else ", ".join(shown[:-1]) + " or " + shown[-1]


@dataclass(frozen=True)
class Shipped:
    """A language the page has translations for (the files in `startpunkt/i18n`)."""

    def check(self, value: Any) -> bool:
        return value in i18n.languages()

    def allowed(self) -> str:
        return OneOf(i18n.languages()).allowed()


@dataclass(frozen=True)
class Matches:
    """A value `test` accepts, described as `description`."""

    test: Callable[[Any], bool]
    description: str

    def check(self, value: Any) -> bool:
        return isinstance(value, str) and bool(self.test(value))

    def allowed(self) -> str:
        return self.description


@dataclass(frozen=True)
class Text:
    """Any text from `shortest` to `longest` characters, without line breaks."""

    shortest: int = 0
    longest: int = 1024

    def check(self, value: Any) -> bool:
        return (
            isinstance(value, str)
            and self.shortest <= len(value) <= self.longest
            and "\n" not in value
            and "\r" not in value
        )

    def allowed(self) -> str:
        size = f"up to {self.longest:,} characters"
        if self.shortest:
            size = f"{self.shortest} to {self.longest:,} characters"
        return f"one line of text, {size}"


@dataclass(frozen=True)
class Each:
    """A list whose every entry follows `rule`."""

    rule: Rule
    most: int = 1000

    def check(self, value: Any) -> bool:
        return len(value) <= self.most and all(self.rule.check(v) for v in value)

    def allowed(self) -> str:
        return f"a list (at most {self.most:,}) of: {self.rule.allowed()}"

    def first_bad(self, value: Any) -> int | None:
        """The index of the first entry the rule refuses (None when only the length is wrong)."""
        return next((i for i, v in enumerate(value) if not self.rule.check(v)), None)


def _search_engine(value: str) -> bool:
    """A URL that stays an http(s) URL once the query is put in (`{query}`, or appended)."""
    return "{query}" in value and bool(safe.url(value.replace("{query}", "startpunkt")))


def _root_path(value: str) -> bool:
    trimmed = value.strip().rstrip("/")
    if not trimmed:
        return True
    return bool(_SEGMENTS.fullmatch(trimmed)) and not {".", ".."} & set(trimmed.split("/"))


def _origin(value: str) -> bool:
    return value == "*" or (bool(_ORIGIN.fullmatch(value)) and bool(safe.url(value)))


COLOR = Matches(
    lambda v: safe.color(v) == v, "a CSS colour: #rgb, #rrggbb, a name, rgb(…) or hsl(…)"
)
URL = Matches(safe.url, "an absolute http(s) URL")
SEARCH_ENGINE = Matches(
    _search_engine, "an http(s) URL with {query} where the search words go, or ending where they go"
)
ORIGIN = Matches(_origin, "an origin like https://start.example.com (or *)")
NAMESPACE = Matches(DNS_LABEL.fullmatch, "a namespace name (lower-case DNS label)")
KIND = Matches(re.compile(r"[A-Z][A-Za-z0-9]{0,62}").fullmatch, "a Kubernetes kind, like Service")
INSTANCE = Matches(
    re.compile(r"[^\s,]{1,253}").fullmatch, "a name without spaces or commas (1 to 253 characters)"
)
CLUSTER_NAME = Matches(
    CLUSTER_NAME_PATTERN.fullmatch,
    "a cluster name: letters, digits, '.', '_' and '-', at most 63, starting and ending alike",
)
ROOT_PATH = Matches(_root_path, "/ or a path prefix like /start")
PROTOCOL = OneOf(("http", "https"))
LANGUAGE = Shipped()
HTTP_STATUS = Range(100, 599, whole=True)
