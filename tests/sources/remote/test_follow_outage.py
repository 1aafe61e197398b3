"""A followed instance that goes away: its items stay, marked stale; when it is back (a restart,
a new epoch), the state is read again and only real differences signal."""

from __future__ import annotations

import dataclasses


def test_an_outage_keeps_the_items_marked_stale_then_catches_up(remote) -> None:
    a = remote.instance()
    plex = remote.items.application("Plex", "Media", url="https://plex.example")
    docs = remote.items.bookmark("Docs", "Links", url="https://docs.example")
    remote.put(a, plex, docs)
    served = remote.serve(a)
    west = remote.follow(served.url)
    remote.synced(west)
    before = west.last_event_id

    served.stop()
    remote.wait_for(lambda: remote.readiness.sources()["remote:west"].state == "stale", timeout=5)
    snap = remote.catalog.snapshot()
    items = (*snap.applications, *snap.bookmarks)
    assert [i.name for i in items] == ["Plex", "Docs"]
    assert all(i.stale is True and i.stale_since for i in items)
    status = remote.readiness.sources()["remote:west"]
    assert status.ready  # another instance being down never takes this one out of service
    assert status.last_error.startswith(f"unreachable since {items[0].stale_since}: ")

    # Restarted: a new process (a new epoch), with a change made while it was down.
    b = remote.instance()
    remote.put(b, dataclasses.replace(plex, info="Films"), docs)
    changes = remote.Changes(remote.catalog)
    remote.serve(b, port=served.port)
    remote.wait_for(lambda: remote.readiness.sources()["remote:west"].state == "synced", timeout=5)
    remote.wait_for(lambda: west.last_event_id != before, timeout=5)

    snap = remote.catalog.snapshot()
    assert snap.get("west:application/default/plex").info == "Films"
    assert not any(i.stale for i in (*snap.applications, *snap.bookmarks))
    # Each item changed once (stale → current), Plex with its new info in the same change.
    assert sorted((new.name, new.stale) for _, new in changes.seen) == [
        ("Docs", None),
        ("Plex", None),
    ]


def test_an_unknown_position_rereads_with_etags_and_nothing_signals(remote) -> None:
    a = remote.instance()
    remote.put(a, remote.items.application("Plex", "Media", url="https://plex.example"))
    paths: list[tuple[str, str | None]] = []
    inner = a.wsgi_app

    def recording(environ, start_response):
        paths.append((environ["PATH_INFO"], environ.get("HTTP_IF_NONE_MATCH")))
        return inner(environ, start_response)

    a.wsgi_app = recording
    served = remote.serve(a)
    west = remote.follow(served.url)
    remote.synced(west)
    changes = remote.Changes(remote.catalog)

    west.last_event_id = "00000000-5"  # as after a restart of the remote: another epoch
    served.stop()
    remote.serve(a, port=served.port)  # the same process: same items, same ETags
    remote.wait_for(
        lambda: sum(1 for p, etag in paths if p == "/api/apps" and etag) >= 1, timeout=5
    )
    remote.wait_for(lambda: remote.readiness.sources()["remote:west"].state == "synced", timeout=5)

    # Read again with If-None-Match, answered 304: the only changes were the outage's own
    # (stale, then current again), never the content.
    def plain(item):
        return dataclasses.replace(item, stale=None, stale_since=None)

    assert changes.seen and all(plain(old) == plain(new) for old, new in changes.seen)
    assert not remote.catalog.snapshot().get("west:application/default/plex").stale
    assert remote.ids() == ["west:application/default/plex"]


def test_a_remote_down_at_start_is_not_blocking_and_says_why(remote) -> None:
    west = remote.follow("http://127.0.0.1:9")  # the discard port: nothing listens
    remote.wait_for(lambda: remote.readiness.sources()[west.name].state == "error", timeout=5)
    status = remote.readiness.sources()[west.name]
    assert status.ready and remote.readiness.ready() and remote.readiness.started()
    assert "cannot connect" in status.last_error
    assert remote.ids() == []
