"""Durations as configuration writes them: `30s`, `500ms`, `5m`, `1h`, ISO-8601 `PT30S`.

Kept apart from config so any part (events, prober) can parse the same way.
"""

from __future__ import annotations

import math
import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_SIMPLE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*", re.IGNORECASE)
_ISO = re.compile(
    r"P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)


def parse(value: object) -> float:
    """Seconds in `value`; a bare number means seconds. Raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"negative duration: {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"not a duration: {value!r}")
    match = _SIMPLE.fullmatch(value)
    if match:
        return float(match[1]) * _UNITS[(match[2] or "s").lower()]
    match = _ISO.fullmatch(value.strip())
    if match and value.strip().upper() not in ("P", "PT") and any(match.groupdict().values()):
        parts = {k: float(v) for k, v in match.groupdict().items() if v}
        return (
            parts.get("d", 0) * 86400
            + parts.get("h", 0) * 3600
            + parts.get("m", 0) * 60
            + parts.get("s", 0)
        )
    raise ValueError(f"not a duration: {value!r}")


def backoff(initial: float, factor: float, attempt: int, cap: float) -> float:
    """`initial * factor ** (attempt - 1)`, at most `cap`, for any number of attempts.

    Computed without the power once it passes the cap: `2.0 ** 1024` overflows a float (an
    OverflowError), and a URL or an API server can fail that many times in a row (17 hours at
    a one-minute interval).
    """
    delay = min(initial, cap)
    if attempt <= 1 or factor <= 1.0 or delay <= 0:
        return delay
    # Past log(cap / initial) / log(factor) steps the delay is at the cap; stop before overflow.
    steps = math.log(cap / delay) / math.log(factor) if cap > delay else 0.0
    if attempt - 1 > steps:
        return cap
    return min(cap, delay * factor ** (attempt - 1))
