"""Fault: SIGHUP (gunicorn reloads: new workers, old ones drained) while edits flow.

Clients behave as the page does: open the stream, note the opening id, fetch the state; apply
events; when the stream ends, reconnect with the last id, and refetch on RESYNC. Edits keep
coming every 200 ms across two reloads; afterwards every client shows the final state: none
lost an event. 127.0.0.1 only, bounded in count and time.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import gevent
import pytest

from testkit import wait
from testkit.live import Server, get_json

pytestmark = pytest.mark.load

CLIENTS = 200
EDITS = 40
PLEX = "ingress/media/plex"


class Client:
    """One page's view of Plex's title, kept by the stream alone."""

    def __init__(self, server: Server, live: SimpleNamespace) -> None:
        self.server, self.live = server, live
        self.title: str | None = None
        self.last: str | None = None
        self.connects = self.resyncs = 0

    def run(self) -> None:
        while True:
            try:
                self._follow()
            except (self.live.StreamEnded, OSError, AssertionError):
                gevent.sleep(0.05)  # EventSource's retry, shortened

    def _follow(self) -> None:
        headers = {"Last-Event-ID": self.last} if self.last else {}
        stream = self.live.stream(self.server.port, headers=headers)
        try:
            if stream.head(timeout=10) != 200:
                return
            self.connects += 1
            while True:
                message = stream.next(timeout=30)
                if message.id:
                    self.last = message.id
                if message.event == "HEARTBEAT" and self.title is None:
                    self.title = self._fetch()  # the first state, after the stream's position
                elif message.event == "RESYNC":
                    self.resyncs += 1
                    self.title = self._fetch()
                elif message.event == "APPLICATION_UPDATED":
                    data = json.loads(message.data or "")["data"]
                    if data["id"] == PLEX:
                        self.title = data["name"]
        finally:
            stream.close()

    def _fetch(self) -> str:
        status, body = get_json(self.server.url + "/api/apps")
        assert status == 200
        return next(a["name"] for g in body["groups"] for a in g["applications"] if a["id"] == PLEX)


def test_clients_keep_every_change_across_two_reloads(
    serve: Callable[..., Server], manifests: Path, live: SimpleNamespace
) -> None:
    server = serve(EVENTDEBOUNCEMS="100")
    clients = [Client(server, live) for _ in range(CLIENTS)]
    runners = [gevent.spawn(c.run) for c in clients]
    try:
        wait.wait_for(lambda: all(c.title for c in clients), timeout=30, what="every client")
        first_workers = server.worker_pids()
        started = time.monotonic()
        for n in range(1, EDITS + 1):
            live.edit(manifests, f"Plex {n}")
            last_edit = time.monotonic()
            if n in (10, 25):
                server.signal(signal.SIGHUP)
            gevent.sleep(0.2)
        wait.wait_for(
            lambda: all(c.title == f"Plex {EDITS}" for c in clients),
            timeout=30,
            what="every client at the final state",
        )
        took = time.monotonic() - last_edit
        wrong = [c.title for c in clients if c.title != f"Plex {EDITS}"]
        assert wrong == []
        assert server.worker_pids() != first_workers
        assert all(c.connects >= 2 for c in clients)  # each was moved to a new worker
        resyncs = sum(c.resyncs for c in clients)
        print(
            f"[figures] SIGHUP twice, {CLIENTS} clients, {EDITS} edits in "
            f"{last_edit - started:.1f}s: 0 clients with a wrong state, "
            f"{resyncs} RESYNCs, final state everywhere {took:.2f}s after the last edit"
        )
    finally:
        gevent.killall(runners, timeout=5)
