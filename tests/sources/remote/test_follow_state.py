"""A followed instance's own items arrive with our name for its cluster, and follow it live."""

from __future__ import annotations

import dataclasses

from startpunkt import model


def test_its_own_items_arrive_as_another_clusters(remote) -> None:
    a = remote.instance(local="alpha")
    remote.put(
        a,
        remote.items.application("Plex", "Media", url="https://plex.example"),
        remote.items.application("Admin", "Ops", url="https://admin.example", tags="admin"),
        remote.items.bookmark("Docs", "Links", url="https://docs.example"),
    )
    served = remote.serve(a)
    west = remote.follow(served.url)
    remote.synced(west)

    assert remote.ids() == [
        "west:application/default/admin",  # a tagged application too: pages filter by tag
        "west:application/default/plex",
        "west:bookmark/default/docs",
    ]
    snap = remote.catalog.snapshot()
    assert {i.cluster for i in (*snap.applications, *snap.bookmarks)} == {"west"}
    assert all(i.remote for i in snap.applications)
    assert remote.readiness.sources()["remote:west"].objects == 3


def test_changes_arrive_as_they_happen_and_only_real_ones_signal(remote) -> None:
    a = remote.instance()
    plex = remote.items.application("Plex", "Media", url="https://plex.example")
    remote.put(a, plex)
    west = remote.follow(remote.serve(a).url)
    remote.synced(west)
    changes = remote.Changes(remote.catalog)
    catalog = remote.runtime.get(a).catalog

    jelly = remote.items.application("Jellyfin", "Media", url="https://jf.example")
    remote.put(a, jelly)
    remote.wait_for(lambda: "west:application/default/jellyfin" in remote.ids(), timeout=5)
    remote.put(a, dataclasses.replace(plex, info="Films"))
    remote.wait_for(
        lambda: remote.catalog.snapshot().get("west:application/default/plex").info == "Films",
        timeout=5,
    )
    catalog.set_available("https://jf.example", False)
    remote.wait_for(
        lambda: not remote.catalog.snapshot().get("west:application/default/jellyfin").available,
        timeout=5,
    )
    catalog.discard("file:test", plex.id)
    remote.wait_for(lambda: "west:application/default/plex" not in remote.ids(), timeout=5)
    mark = remote.items.bookmark("Docs", "Links", url="https://docs.example")
    remote.put(a, mark)
    remote.wait_for(lambda: "west:bookmark/default/docs" in remote.ids(), timeout=5)

    kinds = [
        ("added" if old is None else "removed" if new is None else "updated", (new or old).name)
        for old, new in changes.seen
    ]
    assert kinds == [
        ("added", "Jellyfin"),
        ("updated", "Plex"),
        ("updated", "Jellyfin"),
        ("removed", "Plex"),
        ("added", "Docs"),
    ]
    assert west.last_event_id and west.connected


def test_the_remotes_status_is_kept_not_probed_here(remote) -> None:
    """Its prober can reach what it serves; ours may not. Our probes leave its items alone."""
    a = remote.instance()
    remote.put(a, remote.items.application("Vault", "Ops", url="https://vault.internal"))
    remote.runtime.get(a).catalog.set_available("https://vault.internal", False)
    remote.synced(remote.follow(remote.serve(a).url))

    item = remote.catalog.snapshot().get("west:application/default/vault")
    assert isinstance(item, model.Application) and item.available is False
    assert remote.catalog.application_urls() == set()
    remote.catalog.set_available("https://vault.internal", True)
    assert remote.catalog.snapshot().get("west:application/default/vault").available is False


def test_a_stream_the_server_ends_is_resumed_without_reading_the_state_again(remote) -> None:
    a = remote.instance(maxStreamLifetime="1s")
    remote.put(a, remote.items.application("Plex", "Media", url="https://plex.example"))
    scripted_paths: list[str] = []
    app = a.wsgi_app

    def recording(environ, start_response):
        scripted_paths.append(environ["PATH_INFO"])
        return app(environ, start_response)

    a.wsgi_app = recording
    west = remote.follow(remote.serve(a).url)
    remote.synced(west)
    remote.wait_for(lambda: scripted_paths.count("/api/updates/stream") >= 3, timeout=10)

    assert scripted_paths.count("/api/apps") == 1  # resumed by Last-Event-ID each time
    remote.put(a, remote.items.application("Jellyfin", "Media", url="https://jf.example"))
    remote.wait_for(lambda: "west:application/default/jellyfin" in remote.ids(), timeout=5)
    assert scripted_paths.count("/api/apps") == 1
