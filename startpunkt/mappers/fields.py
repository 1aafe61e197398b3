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
_INTEGER = re.compile(r"[+-]?\d{1,12}")
"""At most 12 digits: enough for any int32, and `int()` of 4,300 digits raises ValueError."""
_CUT = "…"
_MAX_PORT = 65535


def text(value: Any, *, field: str, report: results.Report) -> str | None:
    """A display string, trimmed; numbers are written out; empty means absent.

    Longer than `report.max_length`: cut there (ending in `…`), and reported.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        report.bad_field(field, f"{results.show(value)} is not text, ignored")
        return None
    if isinstance(value, int) and value.bit_length() > 64:  # str() of 4,300 digits raises
        report.bad_field(field, f"{results.show(value)} is not text, ignored")
        return None
    value = str(value).strip()
    if len(value) > report.max_length:
        report.bad_field(
            field, f"{len(value):,} characters, cut to {report.max_length:,}: {results.show(value)}"
        )
        value = value[: report.max_length - 1].rstrip() + _CUT
    return value or None


def fits(value: str, *, field: str, report: results.Report, what: str) -> bool:
    """Whether a value that cannot be cut (a URL, an icon) is short enough; else reported."""
    if len(value) <= report.max_length:
        return True
    report.bad_field(
        field,
        f"{len(value):,} characters, longer than {report.max_length:,}: "
        f"{what} {results.show(value)} dropped",
    )
    return False


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
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 5:
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
    if isinstance(value, str) and not fits(value.strip(), field=field, report=report, what="icon"):
        return None
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
