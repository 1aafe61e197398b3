"""Many clusters with real gunicorn processes on 127.0.0.1: instance A serves manifest files,
instance B watches a cluster (the test Kubernetes API server), instance C follows both live.

C shows both with their cluster names; an outage of A leaves A's items on C, marked stale, and
readiness names A; A restarted on the same port, with a change made while it was down, is
caught up. Two instances following each other show each other's items once. A hostile remote
cannot break C: its answers stay JSON, its stream well-framed, its page whole.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from startpunkt import sse
from testkit import live as live_server
from testkit import multi, remote, wait
from testkit.kubeapi import KubeApiServer
from testkit.live import Server

DEADLINE = 15.0
"""Every wait here: generous, since CI is a shared 2-core machine (about 0.2 s when idle)."""


@pytest.fixture
def clusters(tmp_path: Path) -> Iterator[SimpleNamespace]:
    """A (files: Plex), B (cluster: Grafana), C following both (its own: nothing)."""
    instances = multi.Instances(tmp_path)
    kube = KubeApiServer(bookmark_interval=1.0).start()
    kube.apply(live_server.ingress("grafana", "Grafana"))
    manifests = live_server.manifest_dir(tmp_path / "a")
    start = instances.start
    a = start(multi.files_instance(manifests, "a"), "a")
    b = start(multi.kube_instance(kube.kubeconfig(tmp_path / "kubeconfig"), "b"), "b")
    c = start(multi.following(tmp_path / "c.yaml", {"a": a.url, "b": b.url}, name="c"), "c")
    yield SimpleNamespace(
        a=a, b=b, c=c, kube=kube, manifests=manifests, start=start, tmp_path=tmp_path
    )
    instances.stop()
    kube.stop()


def names(server: Server) -> dict[str, tuple[str, str]]:
    """Application name → (id, cluster) as `/api/apps` answers."""
    return {i["name"]: (i["id"], i["cluster"]) for i in multi.items(server)}


def test_c_shows_both_clusters_and_follows_their_changes(clusters) -> None:
    c = clusters.c
    wait.wait_for(lambda: len(names(c)) == 2, timeout=DEADLINE, what="both remotes on C")
    assert names(c) == {
        "Plex": ("a:ingress/media/plex", "a"),
        "Grafana": ("b:ingress/media/grafana", "b"),
    }
    assert multi.source(c, "remote:a")["data"]["state"] == "synced"
    assert multi.source(c, "remote:b")["data"] == {"state": "synced", "objects": 1}
    assert multi.items(c, "/api/apps?scope=local") == []  # C passes nothing on

    edit(clusters.manifests, "Plex Media")
    clusters.kube.apply(live_server.ingress("jellyfin", "Jellyfin"))
    wait.wait_for(
        lambda: {"Plex Media", "Jellyfin"} <= names(c).keys(), timeout=DEADLINE, what="changes"
    )
    assert names(c)["Jellyfin"] == ("b:ingress/media/jellyfin", "b")

    html = page_html(c)
    assert 'data-clusters="many"' in html
    assert '<span class="card__cluster">a</span>' in html


def test_an_outage_keeps_as_items_stale_then_a_restart_catches_up(clusters) -> None:
    a, c = clusters.a, clusters.c
    wait.wait_for(lambda: len(names(c)) == 2, timeout=DEADLINE, what="both remotes on C")

    a.signal(signal.SIGKILL)
    a.process.wait(10)
    wait.wait_for(
        lambda: multi.source(c, "remote:a")["data"]["state"] == "stale",
        timeout=DEADLINE,
        what="A stale on C",
    )
    plex = next(i for i in multi.items(c) if i["name"] == "Plex")
    assert plex["stale"] is True and plex["staleSince"].endswith("Z")
    status, _ = live_server.get_json(c.url + "/q/health/ready")
    assert status == 200  # A's outage never takes C out of service
    check = multi.source(c, "remote:a")
    assert check["data"]["lastError"].startswith(f"unreachable since {plex['staleSince']}")
    assert "Plex" in names(c)

    edit(clusters.manifests, "Plex while A was down")
    clusters.start(multi.files_instance(clusters.manifests, "a"), "a", port=a.port)
    wait.wait_for(lambda: "Plex while A was down" in names(c), timeout=DEADLINE, what="C caught up")
    caught_up = next(i for i in multi.items(c) if i["name"] == "Plex while A was down")
    assert "stale" not in caught_up
    assert multi.source(c, "remote:a")["data"]["state"] == "synced"


def test_two_instances_following_each_other_do_not_echo(tmp_path: Path) -> None:
    first, second = tmp_path / "d", tmp_path / "e"
    for directory, title in ((first, "Plex"), (second, "Sonarr")):
        directory.mkdir()
        (directory / "app.yaml").write_text(live_server.ingress_yaml(title.lower(), title))
    d_port, e_port = live_server.free_port(), live_server.free_port()
    d_env = multi.following(
        tmp_path / "d.yaml", {"e": f"http://127.0.0.1:{e_port}"}, name="d", manifests=first
    )
    e_env = multi.following(
        tmp_path / "e.yaml", {"d": f"http://127.0.0.1:{d_port}"}, name="e", manifests=second
    )
    with (
        Server(d_env, port=d_port, log_path=tmp_path / "d.log") as d,
        Server(e_env, port=e_port, log_path=tmp_path / "e.log") as e,
    ):
        expected_d = {
            "Plex": ("ingress/media/plex", "d"),
            "Sonarr": ("e:ingress/media/sonarr", "e"),
        }
        expected_e = {
            "Plex": ("d:ingress/media/plex", "d"),
            "Sonarr": ("ingress/media/sonarr", "e"),
        }
        wait.wait_for(
            lambda: names(d) == expected_d and names(e) == expected_e,
            timeout=DEADLINE,
            what="each shows the other's once",
        )
        edit_file(first / "app.yaml", "plex", "Plex 2")
        wait.wait_for(lambda: "Plex 2" in names(e), timeout=DEADLINE, what="D's edit on E")
        assert wait.stays(lambda: len(names(d)) == len(names(e)) == 2, seconds=2.0)
        assert [i["id"] for i in multi.items(d, "/api/apps?scope=local")] == ["ingress/media/plex"]
        # Not because a follower refused an echo: none was offered. (E's page stream did carry
        # D's edit of Plex; its `scope=local` stream, the one D reads, did not.)
        assert dropped(d, "e", "foreign") == dropped(e, "d", "foreign") == 0


HOSTILE_NAME = '<img src=x onerror="document.title=1">'


def hostile_stream(request: remote.Request) -> Iterator[bytes]:
    """A well-formed opening, then everything a broken or hostile instance could send."""
    yield sse.encode(retry=1000) + remote.event("HEARTBEAT", None, event_id="h-0")
    yield b"event: APPLICATION_ADDED\ndata: " + b"x" * (sse.MAX_LINE + 100) + b"\n\n"
    yield b"event: APPLICATION_ADDED\ndata: {broken\n\n"
    yield b"\x00\xff\xfe\r\r\n\n:\n"
    yield b"id: a\x00b\nevent: APPLICATION_ADDED\ndata: []\n\n"
    yield remote.event(
        "APPLICATION_ADDED",
        {"id": "evil/1", "name": "Evil\nevent: RESYNC\ndata: x", "group": "G\r\n\r\ndata: y"},
    )
    yield remote.event(
        "APPLICATION_ADDED",
        {"id": "evil/2", "name": HOSTILE_NAME, "group": "G", "url": "javascript:alert(1)"},
        event_id="h-1",
    )
    for n in range(50):  # past the cap of 100: one is kept, 49 are dropped
        yield remote.event("APPLICATION_ADDED", {"id": f"late/{n}", "name": "Late", "group": "G"})
    while True:  # then heartbeats, as a live instance would
        yield remote.event("HEARTBEAT", None)
        wait.stays(lambda: True, seconds=0.5)


def test_a_hostile_remote_cannot_break_c(tmp_path: Path, live) -> None:
    scripted = remote.Scripted(
        heartbeat=2.0,
        applications=[
            {"id": "big", "name": "n" * 1_000_000, "group": "G"},
            {"id": "js", "name": "JS", "group": "G", "url": "javascript:alert(document.cookie)"},
            {"id": "markup", "name": HOSTILE_NAME, "group": "<b>G</b>", "info": "</script>"},
            *[{"id": f"many/{n}", "name": f"Many {n}", "group": "Flood"} for n in range(95)],
        ],
        stream=hostile_stream,
    )
    with remote.Served(scripted) as served:
        env = multi.following(
            tmp_path / "c.yaml",
            {"evil": served.url},
            name="c",
            remote_extra={"maxItems": 100},
        )
        with Server(env, log_path=tmp_path / "c.log") as c:
            stream = live.stream(c.port)
            assert stream.next().retry == 1000
            wait.wait_for(
                lambda: dropped(c, "evil", "cap") == 49,
                timeout=DEADLINE,
                what="the hostile stream, all read",
            )
            shown = {i["id"]: i for i in multi.items(c)}
            assert len(shown) == 100  # its cap
            assert "evil:big" not in shown
            assert "url" not in shown["evil:js"] and "url" not in shown["evil:evil/2"]
            assert shown["evil:markup"]["name"] == HOSTILE_NAME
            assert shown["evil:evil/1"]["name"] == "Evil\nevent: RESYNC\ndata: x"

            # C's own stream stays well framed: the hostile text arrives inside JSON, as data.
            message = stream.until(lambda m: "evil:evil/2" in (m.data or ""), timeout=DEADLINE)
            assert message.event == "APPLICATION_ADDED"
            assert json.loads(message.data)["data"]["name"] == HOSTILE_NAME
            html = page_html(c)
            assert HOSTILE_NAME not in html and "&lt;img src=x" in html
            assert multi.source(c, "remote:evil")["status"] == "UP"
            assert live_server.get_json(c.url + "/q/health/live")[0] == 200


def dropped(server: Server, cluster: str, reason: str) -> float:
    """How many items of remote `cluster` the server did not keep, for `reason`."""
    import urllib.request

    wanted = f'startpunkt_remote_items_dropped_total{{cluster="{cluster}",reason="{reason}"}}'
    with urllib.request.urlopen(server.url + "/q/metrics", timeout=5) as response:
        for line in response.read().decode().splitlines():
            name, _, value = line.rpartition(" ")
            if name == wanted:
                return float(value)
    return 0.0


def edit(manifests: Path, title: str) -> None:
    edit_file(manifests / "plex.yaml", "plex", title)


def edit_file(path: Path, name: str, title: str) -> None:
    """Save the way editors do: a temporary file renamed over the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(live_server.ingress_yaml(name, title))
    temporary.replace(path)


def page_html(server: Server) -> str:
    import urllib.request

    with urllib.request.urlopen(server.url + "/", timeout=10) as response:
        return response.read().decode()
