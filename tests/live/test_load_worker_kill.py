"""Fault: the worker is SIGKILLed under load; the master starts a new one and clients recover.

A killed worker runs no cleanup: its streams are cut. Clients reconnect as EventSource does,
with the id they last saw; the new worker has a new epoch, so each gets RESYNC (refetch
everything) instead of a replay it cannot give. 127.0.0.1 only, bounded in count and time.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from testkit import wait
from testkit.live import Server, get_json

pytestmark = pytest.mark.load

CLIENTS = 50


def test_a_killed_worker_is_replaced_and_every_client_gets_resync(
    serve: Callable[..., Server], live: SimpleNamespace
) -> None:
    server = serve()
    streams = [live.stream(server.port) for _ in range(CLIENTS)]
    ids = [s.until(lambda m: m.event == "HEARTBEAT", timeout=10).id for s in streams]
    assert all(ids) and len({i.split("-")[0] for i in ids}) == 1  # one worker, one epoch
    (worker,) = server.worker_pids()

    killed = time.monotonic()
    os.kill(worker, signal.SIGKILL)
    for stream in streams:
        with contextlib.suppress(ConnectionError):  # a reset, or a clean end: cut either way
            stream.read_to_end(timeout=10)
    wait.wait_for(
        lambda: server.worker_pids() not in ([], [worker]), timeout=30, what="a new worker"
    )
    wait.wait_for(lambda: _ready(server), timeout=30, interval=0.05, what="the new worker ready")
    replaced = time.monotonic() - killed

    reasons = []
    for last in ids:
        again = live.stream(server.port, headers={"Last-Event-ID": last})
        assert again.head(timeout=10) == 200
        message = again.until(lambda m: m.event not in (None, "HEARTBEAT"), timeout=10)
        assert message.event == "RESYNC"
        data = json.loads(message.data or "")["data"]
        reasons.append((data["reason"], data["followedBy"]))
        assert again.next(timeout=10).event == "APPLICATION_UPDATED"  # Plex, for older clients
        again.close()
    recovered = time.monotonic() - killed
    assert reasons == [("epoch", 1)] * CLIENTS
    assert server.worker_pids() != [worker]
    print(
        f"[figures] worker SIGKILL with {CLIENTS} streams: new worker ready after "
        f"{replaced:.1f}s, all {CLIENTS} clients resumed with RESYNC after {recovered:.1f}s"
    )


def _ready(server: Server) -> bool:
    try:
        return get_json(server.url + "/q/health/ready")[0] == 200
    except OSError:
        return False
