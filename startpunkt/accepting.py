"""Accept failures past the open-file limit: one WARNING every few seconds, not a traceback each.

When the process has no descriptor left, `accept()` fails with EMFILE (ENFILE: the system's
table is full). gevent's server then reports the error to its hub, which prints a traceback,
and retries after a delay growing to one second: a flood of tracebacks for as long as the
limit is reached. Nothing is lost meanwhile (the connections wait in the listen backlog and are
accepted once descriptors are free), so one line every `INTERVAL`, naming the limit and how
many attempts failed, says all there is to say; `startpunkt_accept_errors_total` counts them.
Installed on the worker's hub by the `post_worker_init` hook; every other error is the hub's
as before, and so is the retrying.
"""

from __future__ import annotations

import errno
import logging
import time
from collections.abc import Callable
from typing import Any

import gevent
from gevent import baseserver

from startpunkt import config, metrics

log = logging.getLogger(__name__)

INTERVAL = 10.0
"""Seconds between WARNINGs while accepting keeps failing; the failures between are counted."""
REASONS = {errno.EMFILE: "EMFILE", errno.ENFILE: "ENFILE"}


class Throttle:
    """Counts out-of-descriptor accept failures and logs them at most once per `INTERVAL`."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: float | None = None
        self._since_last = 0

    def failed(self, error: OSError) -> None:
        """One accept failed for want of descriptors."""
        reason = REASONS[error.errno]
        metrics.accept_errors.labels(reason).inc()
        self._since_last += 1
        now = self._clock()
        if self._last is not None and now - self._last < INTERVAL:
            return
        log.warning(
            "cannot accept connections: %s; failed attempts since the last report: %d; the "
            "connections wait in the listen backlog until descriptors are free",
            _limit(reason),
            self._since_last,
        )
        self._last = now
        self._since_last = 0


def _limit(reason: str) -> str:
    if reason == "ENFILE":
        return "the system's open-file table is full (ENFILE)"
    limit = config.open_files_limit()
    return f"this process has all {limit} files it may open in use (EMFILE)"


def out_of_descriptors(context: Any, value: BaseException | None) -> OSError | None:
    """The error, when it is a server's accept failing for want of descriptors; else None."""
    if not isinstance(context, baseserver.BaseServer) or not isinstance(value, OSError):
        return None
    return value if value.errno in REASONS else None


def install(hub: Any, throttle: Throttle | None = None) -> None:
    """Report `hub`'s out-of-descriptor accept failures through `throttle`; pass the rest on."""
    throttle = throttle or Throttle()
    original: Callable[..., Any] = hub.handle_error

    def handle_error(context: Any, type_: Any, value: Any, tb: Any) -> None:
        error = out_of_descriptors(context, value)
        if error is None:
            original(context, type_, value, tb)
        else:
            throttle.failed(error)

    hub.handle_error = handle_error  # this hub only: the worker's, which runs its servers


def post_worker_init(worker: Any) -> None:
    """gunicorn hook: throttle the worker's accept failures (its servers run in this hub)."""
    install(gevent.get_hub())
