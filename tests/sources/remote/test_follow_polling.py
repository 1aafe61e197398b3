"""A remote whose realtime updates are off (its stream answers 204) is read every
`refreshInterval` it announces instead, still ETag-aware and reconciled."""

from __future__ import annotations

OFF = b'{"config": {"web": {"refreshInterval": 1}, "realtime": {"enabled": false}}}'


def followed_with_its_stream_off(remote) -> tuple:
    """A remote holding A whose stream answers 204, followed as `west` and synced."""
    scripted = remote.Scripted(applications=[{"id": "a", "name": "A", "group": "G"}])
    scripted.bodies["/api/updates/stream"] = (204, b"")
    scripted.bodies["/api/config"] = (200, OFF)
    west = remote.follow(remote.serve(scripted).url)
    remote.synced(west)
    return scripted, west


def test_a_remote_without_a_stream_is_polled(remote) -> None:
    scripted, _ = followed_with_its_stream_off(remote)
    assert remote.ids() == ["west:a"]

    scripted.applications.append({"id": "b", "name": "B", "group": "G"})
    remote.wait_for(lambda: remote.ids() == ["west:a", "west:b"], timeout=5)  # refreshInterval 1
    assert scripted.paths().count("/api/updates/stream") == 1  # asked once, then polled
    assert scripted.paths().count("/api/apps") >= 2


def test_when_its_stream_is_back_it_is_followed_again(remote) -> None:
    scripted, west = followed_with_its_stream_off(remote)
    del scripted.bodies["/api/updates/stream"], scripted.bodies["/api/config"]
    remote.wait_for(lambda: west.connected, timeout=5)
    assert scripted.paths().count("/api/updates/stream") == 2
