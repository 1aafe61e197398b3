"""Quoting a value someone else wrote (a manifest, an annotation, a setting) in a log line.

`repr()` of what YAML built is unbounded: a 684-byte alias bomb is a structure sharing its parts,
whose repr runs to gigabytes, and a 1 MB string makes a 1 MB log line. `quote` walks at most
a few levels and items, cuts strings, and never returns more than `limit` characters. Pure.
"""

from __future__ import annotations

import reprlib
from typing import Any

_REPR = reprlib.Repr()
_REPR.maxlevel = 2
_REPR.maxstring = 200
_REPR.maxother = 200
_REPR.maxlong = 60
for _name in ("maxlist", "maxtuple", "maxdict", "maxset", "maxfrozenset", "maxdeque", "maxarray"):
    setattr(_REPR, _name, 4)


def quote(value: Any, limit: int = 60) -> str:
    """`value` as Python would write it, at most `limit` characters (`...` marks a cut)."""
    try:
        text = _REPR.repr(value)
    except Exception:  # a repr that fails must not fail the log line quoting it
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: max(0, limit - 3)] + "..."
