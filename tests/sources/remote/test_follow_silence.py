"""A stream that says nothing for twice the remote's heartbeat interval is dead: given up,
the items marked stale, and the remote asked again."""

from __future__ import annotations

import time


def test_a_silent_stream_is_given_up_after_twice_the_heartbeat(remote) -> None:
    scripted = remote.Scripted(heartbeat=0.4, applications=[{"id": "a", "name": "A", "group": "G"}])
    west = remote.follow(remote.serve(scripted).url)
    remote.synced(west)
    assert west.silence() == 0.8  # learnt from the remote's /api/config
    opened = time.monotonic()

    remote.wait_for(lambda: remote.readiness.sources()[west.name].state == "stale", timeout=5)
    silent_for = time.monotonic() - opened
    assert 0.7 <= silent_for < 3.0, silent_for
    assert "no answer in time" in remote.readiness.sources()[west.name].last_error
    assert remote.catalog.snapshot().get("west:a").stale is True
    remote.wait_for(lambda: scripted.paths().count("/api/updates/stream") >= 2, timeout=5)


def test_heartbeats_keep_a_quiet_stream_alive(remote) -> None:
    scripted = remote.Scripted(heartbeat=0.4)
    remote.synced(west := remote.follow(remote.serve(scripted).url))

    def beat() -> None:
        for _ in range(8):
            scripted.push(b'event: HEARTBEAT\ndata: {"data":null}\n\n')
            remote.stays(lambda: True, seconds=0.2)

    beat()
    assert scripted.paths().count("/api/updates/stream") == 1
    assert remote.readiness.sources()[west.name].state == "synced" and west.connected


def test_a_remote_announcing_an_absurd_heartbeat_is_still_watched(remote) -> None:
    scripted = remote.Scripted(heartbeat=1e12)
    remote.synced(west := remote.follow(remote.serve(scripted).url))
    assert west.silence() == west.timing.silence_cap
