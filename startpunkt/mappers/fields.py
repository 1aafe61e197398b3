"""Coercing one field's raw value into what an item holds, or reporting why it cannot be.

Annotations are strings, custom resource fields are typed, and hand-written YAML files hold
anything; each coercion accepts the reasonable spellings, and for anything else records a
problem and falls back (to nothing, or to the default location) so the rest of the object
is still served. Icons and colours follow `startpunkt.safe`, the rules the page applies too.
"""

from __future__ import annotations

import re
from typing import Any

from startpunkt import model, safe
from startpunkt.mappers import results

_INT32 = 2**31 - 1
"""The reference parsed locations as Java ints; larger values are typos, not sort keys."""
_INTEGER = re.compile(r"[+-]?\d+")
_MAX_PORT = 65535


def text(value: Any, *, field: str, report: results.Report) -> str | None:
    """A display string, trimmed; numbers are written out; empty means absent."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        report.bad_field(field, f"{results.show(value)} is not text, ignored")
        return None
    return value.strip() or None


def boolean(value: Any, *, field: str, report: results.Report) -> bool | None:
    """A boolean, or "true"/"false" in any case; anything else is reported and ignored."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    report.bad_field(field, f"{results.show(value)} is not true or false, ignored")
    return None


def location(value: Any, *, field: str, report: results.Report) -> int:
    """The sort key; missing or 0 (Hajimari's "unset") is the default, garbage is reported."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    if value is None or number == 0:
        return model.DEFAULT_LOCATION
    if number is None or abs(number) > _INT32:
        report.bad_field(
            field, f"{results.show(value)} is not an integer, using {model.DEFAULT_LOCATION}"
        )
        return model.DEFAULT_LOCATION
    return number


def port(value: Any, *, field: str, report: results.Report) -> int | None:
    """A TCP port, 1 to 65535; anything else is reported and ignored."""
    if value is None:
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 0 < number <= _MAX_PORT:
        report.bad_field(field, f"{results.show(value)} is not a port number (1-65535), ignored")
        return None
    return number


def icon(value: Any, *, field: str, report: results.Report) -> str | None:
    """An icon name (`mdi:home`, `home`, `sonarr.png`) or an http(s) image URL (`safe.icon`).

    Names the page cannot draw still reach REST clients, which may know them; the page shows a
    letter instead.
    """
    name = text(value, field=field, report=report)
    if name is None or safe.icon(name):
        return name
    report.bad_field(
        field, f"{results.show(name)} is neither an icon name nor an http(s) URL, ignored"
    )
    return None


def color(value: Any, *, field: str, report: results.Report) -> str | None:
    """A CSS colour the page can use as it is (`safe.color`): hex, a name, rgb()/hsl()."""
    name = text(value, field=field, report=report)
    if name is None or safe.color(name):
        return name
    report.bad_field(field, f"{results.show(name)} is not a colour, ignored")
    return None
