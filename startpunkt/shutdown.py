"""Stopping cleanly: gunicorn worker hooks, and the development server's Ctrl-C.

Under gunicorn a SIGTERM only sets `worker.alive = False`. Open event streams would then keep
the worker up until `graceful_timeout`, after which it is SIGKILLed and no stream's cleanup runs.
`post_worker_init` starts one watcher greenlet that notices the flag within `WATCH_INTERVAL` and
ends every stream at once, so the worker drains in about a second. `worker_exit` kills the
background greenlets and logs how many streams were opened and closed, a line tests can check.
"""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

import gevent
from flask import Flask
from gevent.event import Event
from gevent.pywsgi import WSGIHandler, WSGIServer

from startpunkt import runtime
from startpunkt.runtime import Runtime

log = logging.getLogger(__name__)

WATCH_INTERVAL = 0.2
"""Seconds between looks at `worker.alive`; streams end this soon after SIGTERM."""
DRAIN_TIMEOUT = 2.0
"""How long the development server waits for streams to end before cutting connections."""


def post_worker_init(worker: Any) -> None:
    """gunicorn hook: watch the worker and end every stream as soon as it starts stopping."""
    rt = _runtime(worker)
    if rt is not None:
        rt.tasks.spawn(_watch, worker, rt)


def _watch(worker: Any, rt: Runtime) -> None:
    while worker.alive:
        gevent.sleep(WATCH_INTERVAL)
    log.info("worker stopping: ending %d event streams", rt.broadcaster.client_count())
    for broadcaster in rt.broadcasters():
        broadcaster.shutdown()


def worker_exit(worker: Any) -> None:
    """gunicorn hook: stop background work and report whether every stream was cleaned up."""
    rt = _runtime(worker)
    if rt is None:
        return
    stop(rt)
    b = rt.broadcaster
    worker.log.info(
        "startpunkt worker exiting: event streams opened=%d closed=%d open=%d",
        b.opened,
        b.closed,
        b.client_count(),
    )


def stop(rt: Runtime, *, timeout: float = 2.0) -> None:
    """End the streams and kill the background greenlets of one app."""
    for broadcaster in rt.broadcasters():
        broadcaster.shutdown()
        broadcaster.stop()
    gevent.killall([g for g in rt.tasks if g is not gevent.getcurrent()], timeout=timeout)


class Handler(WSGIHandler):
    """gevent's handler, telling the app the connection's socket as gunicorn does, so an event
    stream notices its client leaving without writing to it."""

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ["startpunkt.socket"] = self.socket
        return environ


def serve(app: Flask, *, host: str, port: int) -> None:
    """The development server: gevent's WSGIServer until SIGINT or SIGTERM, then a clean stop."""
    server = WSGIServer((host, port), app, handler_class=Handler)
    stopping = Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(sig, stopping.set)
    server.start()
    log.info("serving on http://%s:%d", host, port)
    stopping.wait()
    rt = runtime.get(app)
    log.info("stopping: ending %d event streams", rt.broadcaster.client_count())
    server.close()
    for broadcaster in rt.broadcasters():
        broadcaster.shutdown()
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while any(b.client_count() for b in rt.broadcasters()) and time.monotonic() < deadline:
        gevent.sleep(0.05)
    # Keep-alive connections left after their stream ended are cut here.
    server.stop(timeout=0.5)
    stop(rt)
    log.info("stopped")


def _runtime(worker: Any) -> Runtime | None:
    app = getattr(worker, "wsgi", None)
    if not isinstance(app, Flask) or "startpunkt" not in app.extensions:
        return None
    return runtime.get(app)
