"""The remote source follows the settings: a live reload starts, stops or restarts exactly the
followers whose entry changed; `clusters.local.enabled: false` shows only what is followed;
metrics and health say how each remote is doing."""

from __future__ import annotations

import dataclasses

from startpunkt import config, create_app, runtime, shutdown, signals
from startpunkt.sources import remote as remote_source


def settings(**clusters) -> config.Settings:
    return config.from_mapping({"startpunkt": {"clusters": clusters}}, {})


def test_a_live_reload_follows_exactly_what_changed(remote) -> None:
    a, b = remote.instance(), remote.instance()
    remote.put(a, remote.items.application("Plex", "Media", url="https://plex.a"))
    remote.put(b, remote.items.application("Grafana", "Ops", url="https://grafana.b"))
    url_a, url_b = remote.serve(a).url, remote.serve(b).url
    app = create_app(settings(remote=[{"name": "a", "url": url_a}]), start=False)
    rt = runtime.get(app)
    remote_source.init_app(app, timing=remote.fast)
    try:
        remote.wait_for(lambda: len(rt.catalog.snapshot().applications) == 1, timeout=5)
        kept = rt.remotes.followers["a"]

        changed = settings(remote=[{"name": "a", "url": url_a}, {"name": "b", "url": url_b}])
        rt.settings = changed
        signals.config_changed.send(app, config=changed)
        remote.wait_for(lambda: len(rt.catalog.snapshot().applications) == 2, timeout=5)
        assert rt.remotes.followers["a"] is kept  # unchanged entry, same connection

        changed = settings(remote=[{"name": "b", "url": url_b, "enabled": False}])
        rt.settings = changed
        signals.config_changed.send(app, config=changed)
        assert rt.catalog.snapshot().applications == ()  # withdrawn at once
        assert rt.remotes.followers == {}
        assert "remote:a" not in rt.readiness.sources()
    finally:
        rt.remotes.stop()


def test_metrics_and_health_name_each_remote(remote) -> None:
    a = remote.instance()
    remote.put(a, remote.items.application("Plex", "Media", url="https://plex.a"))
    served = remote.serve(a)
    remotes = [{"name": "a", "url": served.url}, {"name": "down", "url": "http://127.0.0.1:9"}]
    app = create_app(settings(remote=remotes), start=False)
    rt = runtime.get(app)
    remote_source.init_app(app, timing=remote.fast)
    client = app.test_client()
    try:
        remote.wait_for(lambda: rt.remotes.followers["a"].connected, timeout=5)
        remote.wait_for(lambda: rt.readiness.sources()["remote:down"].state == "error", timeout=5)
        text = client.get("/q/metrics").get_data(as_text=True)
        assert 'startpunkt_remote_connected{cluster="a"} 1.0' in text
        assert 'startpunkt_remote_connected{cluster="down"} 0.0' in text
        assert 'startpunkt_remote_items{cluster="a"} 1.0' in text
        assert 'startpunkt_remote_stale{cluster="a"} 0.0' in text
        assert 'startpunkt_remote_reconnects_total{cluster="down"}' in text

        ready = client.get("/q/health/ready")
        assert ready.status_code == 200  # a remote that never answered does not block
        checks = {c["name"]: c for c in ready.json["checks"]}
        assert checks["source remote:a"]["data"] == {"state": "synced", "objects": 1}
        down = checks["source remote:down"]
        assert down["status"] == "UP" and down["data"]["state"] == "error"
        assert "cannot connect" in down["data"]["lastError"]

        page = client.get("/").get_data(as_text=True)
        assert 'data-clusters="one"' in page  # only one cluster has items here
    finally:
        rt.remotes.stop()


def test_without_the_local_cluster_only_followed_items_show(tmp_path) -> None:
    doc = {
        "startpunkt": {
            "clusters": {"local": {"enabled": False}},
            "availability": {"enabled": False},
        }
    }
    app = create_app(config.from_mapping(doc, {}))
    rt = runtime.get(app)
    try:
        assert rt.files is None and rt.cluster is None  # not even the bundled example
        assert rt.catalog.snapshot().applications == ()
    finally:
        shutdown.stop(rt)

    explicit = dataclasses.replace(
        config.from_mapping(doc, {}),
        manifests=config.ManifestSettings(enabled=True, directory=str(tmp_path)),
    )
    app = create_app(explicit)
    try:
        assert runtime.get(app).files is not None  # asked for, so served
    finally:
        shutdown.stop(runtime.get(app))
