"""Fixtures for the cluster source: the test API server, the real client, a real app and catalog.

Every test talks to `testkit.kubeapi.KubeApiServer` through the unmodified
kubernetes client, in the gevent-patched test process. Timeouts and backoffs are shrunk with a
`Timing` (production defaults are untouched); tests wait for conditions with a deadline. Test
modules reach the helpers through the `kube` fixture (conftest modules are not imported).
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gevent
import pytest
from flask import Flask

from startpunkt import create_app, runtime, signals
from startpunkt.catalog import Catalog
from startpunkt.config import KubernetesSettings, Settings
from startpunkt.events import payloads
from startpunkt.sources import kube as kube_source
from startpunkt.sources.kube.timing import Timing
from testkit import snapshot, wait
from testkit.kubeapi import KubeApiServer

FAST = Timing(
    connect_timeout=2.0,
    request_timeout=5.0,
    watch_timeout=3,
    watch_read_slack=2.0,
    backoff_initial=0.05,
    backoff_cap=0.5,
    absent_retry=0.3,
    forbidden_retry=0.3,
    resolve_wait=1.0,
    discovery_ttl=300.0,
)
"""Seconds shrunk for tests: a hung watch is replaced after 5 s, an outage retried every 0.5 s."""

ENABLE = {"startpunkt.ullberg.us/enable": "true"}


def meta(name: str, namespace: str, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "namespace": namespace}
    if annotations:
        out["annotations"] = dict(annotations)
    return out


def ingress(
    name: str, namespace: str = "default", *, host: str | None = None, **annotations: str
) -> dict[str, Any]:
    """An Ingress opted in with the startpunkt annotation (plus `annotations`, by suffix)."""
    extra = {f"startpunkt.ullberg.us/{k}": v for k, v in annotations.items()}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta(name, namespace, {**ENABLE, **extra}),
        "spec": {"rules": [{"host": host or f"{name}.example.com"}]},
    }


def application(
    name: str, namespace: str = "default", *, version: str = "v1alpha4", **spec: Any
) -> dict[str, Any]:
    """A startpunkt Application custom resource."""
    return {
        "apiVersion": f"startpunkt.ullberg.us/{version}",
        "kind": "Application",
        "metadata": meta(name, namespace),
        "spec": {"name": name.title(), "url": f"https://{name}.example.com", **spec},
    }


class Signals:
    """The catalog's changes as (added/updated/removed, item id), as `classify` names them."""

    def __init__(self, catalog: Catalog) -> None:
        self.seen: list[tuple[str, str]] = []
        signals.item_changed.connect(self._receive, sender=catalog)

    def _receive(self, sender: object, *, old: Any, new: Any, **_: Any) -> None:
        for kind, item in payloads.classify(old, new):
            if kind is not payloads.EventType.STATUS_CHANGED:
                self.seen.append((kind.value.rsplit("_", 1)[1].lower(), item.id))

    def of(self, change: str) -> list[str]:
        return sorted(i for c, i in self.seen if c == change)

    def clear(self) -> None:
        self.seen.clear()


@pytest.fixture
def kubeapi() -> Iterator[KubeApiServer]:
    server = KubeApiServer(bookmark_interval=0.2).start()
    yield server
    server.stop()


@pytest.fixture
def kubeconfig(kubeapi: KubeApiServer, tmp_path: Path) -> Path:
    return kubeapi.kubeconfig(tmp_path / "kubeconfig")


@pytest.fixture
def cluster_settings(kubeconfig: Path, tmp_path: Path) -> Callable[..., Settings]:
    """Settings pointing at the test server (or at `server`); keywords replace sections."""

    def build(*, server: KubeApiServer | None = None, **sections: Any) -> Settings:
        path = kubeconfig if server is None else server.kubeconfig(tmp_path / f"kc-{server.port}")
        base = Settings(kubernetes=KubernetesSettings(enabled=True, kubeconfig=str(path)))
        return dataclasses.replace(base, **sections)

    return build


@pytest.fixture
def start_app(
    cluster_settings: Callable[..., Settings], kubeapi: KubeApiServer
) -> Iterator[Callable[..., Flask]]:
    """Build an app (no other background parts) and start the cluster source with FAST timing.

    Waits until every informer has listed once and each that synced is watching; stops them
    (and the app's greenlets) after.
    """
    apps: list[Flask] = []

    def start(
        settings: Settings | None = None,
        *,
        server: KubeApiServer | None = None,
        timing: Timing = FAST,
    ) -> Flask:
        """`settings` default to pointing at `server` (default: the `kubeapi` fixture)."""
        server = server or kubeapi
        app = create_app(settings or cluster_settings(server=server), start=False)
        apps.append(app)
        assert kube_source.init_app(app, timing=timing) is True
        rt = runtime.get(app)
        wait.wait_for(
            lambda: all(s.state != "starting" for s in rt.readiness.sources().values()),
            timeout=10.0,
            what="every informer listed once",
        )
        synced = [s for s in rt.readiness.sources().values() if s.state == "synced"]
        server.wait_for_watches(len(synced), timeout=10.0)
        return app

    yield start
    for app in apps:
        kube_source.stop(app)
        rt = runtime.get(app)
        gevent.killall(list(rt.tasks), timeout=5)


@pytest.fixture
def kube() -> SimpleNamespace:
    """Helpers for test modules."""
    return SimpleNamespace(
        FAST=FAST,
        wait_for=wait.wait_for,
        stays=wait.stays,
        ingress=ingress,
        application=application,
        meta=meta,
        names=snapshot.names,
        app_url=snapshot.app_url,
        Signals=Signals,
        catalog=lambda app: runtime.get(app).catalog,
        readiness=lambda app: runtime.get(app).readiness,
        cluster=lambda app: runtime.get(app).cluster,
    )


@pytest.fixture(autouse=True)
def _collect_garbage_after() -> Iterator[None]:
    """A socket left unclosed then warns (an error here) in the test that leaked it."""
    yield
    gc.collect()
