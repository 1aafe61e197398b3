"""Two instances following each other show each other's items once: neither passes on what it
follows (`scope=local`), so nothing echoes, however long they run and whatever changes."""

from __future__ import annotations

import dataclasses

from prometheus_client import REGISTRY

from startpunkt.sources.remote import Remotes


def foreign(cluster: str) -> float:
    labels = {"cluster": cluster, "reason": "foreign"}
    return REGISTRY.get_sample_value("startpunkt_remote_items_dropped_total", labels) or 0.0


def test_two_instances_that_follow_each_other_do_not_echo(remote) -> None:
    a, b = remote.instance(local="a"), remote.instance(local="b")
    plex = remote.items.application("Plex", "Media", url="https://plex.a")
    remote.put(a, plex)
    remote.put(b, remote.items.application("Grafana", "Ops", url="https://grafana.b"))
    served_a, served_b = remote.serve(a), remote.serve(b)
    followers = []
    for app, name, url in ((a, "b", served_b.url), (b, "a", served_a.url)):
        rt = remote.runtime.get(app)
        rt.remotes = Remotes(
            catalog=rt.catalog,
            readiness=rt.readiness,
            tasks=rt.tasks,
            user_agent="t",
            timing=remote.fast,
        )
        rt.remotes.apply((remote.remote_settings(name, url),))
        followers.append(rt.remotes)

    def ids(app) -> list[str]:
        snap = remote.runtime.get(app).catalog.snapshot()
        return sorted(i.id for i in snap.applications)

    try:
        expected_a = ["application/default/plex", "b:application/default/grafana"]
        expected_b = ["a:application/default/plex", "application/default/grafana"]
        remote.wait_for(lambda: ids(a) == expected_a and ids(b) == expected_b, timeout=5)

        remote.put(a, dataclasses.replace(plex, info="Films"))
        remote.wait_for(
            lambda: (
                remote.runtime.get(b).catalog.snapshot().get("a:application/default/plex").info
                == "Films"
            ),
            timeout=5,
        )
        # Nothing comes back around: no `b:a:…` in A, no `a:b:…` in B, for a while.
        assert remote.stays(lambda: ids(a) == expected_a and ids(b) == expected_b, seconds=1.0)
        # And not because the follower refused an echo: none was ever offered (scope=local).
        assert foreign("a") == foreign("b") == 0
        assert remote.runtime.get(a).catalog.snapshot().get("application/default/plex").info == (
            "Films"
        )
    finally:
        for remotes in followers:
            remotes.stop()
