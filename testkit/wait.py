"""Wait for a condition with a deadline: the one polling helper that tests and benchmarks share.

Nothing here sleeps and hopes: a wait polls its condition until it holds and fails the test,
naming what it waited for, once the deadline has passed. `gevent.sleep` lets the greenlets under
test run between polls (and is a plain sleep in a process that is not patched).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import gevent
import pytest


def wait_for(
    condition: Callable[[], object],
    *,
    timeout: float = 3.0,
    interval: float = 0.02,
    what: str = "",
) -> float:
    """Poll `condition` until it is true; the seconds it took, or fail after `timeout`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout}s: {what or condition}")
        gevent.sleep(interval)
    return time.monotonic() - start


def stays(condition: Callable[[], object], *, seconds: float = 0.3, interval: float = 0.02) -> bool:
    """True if `condition` holds for the whole period (for "nothing happens" claims)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not condition():
            return False
        gevent.sleep(interval)
    return bool(condition())
