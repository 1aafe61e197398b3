"""Fixtures for testing the fake API server with the real, unmodified kubernetes client."""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterator
from typing import Any

import gevent
import kubernetes
import pytest

from testkit.kubeapi import KubeApiServer

ClientFactory = Callable[..., kubernetes.client.ApiClient]


@pytest.fixture
def kubeapi() -> Iterator[KubeApiServer]:
    server = KubeApiServer(bookmark_interval=0.3).start()
    yield server
    server.stop()


@pytest.fixture
def make_client(tmp_path: pathlib.Path) -> Iterator[ClientFactory]:
    """Build ApiClients the way startpunkt does: from a kubeconfig, into a private config."""
    clients: list[kubernetes.client.ApiClient] = []

    def make(server: KubeApiServer, **kubeconfig_options: Any) -> kubernetes.client.ApiClient:
        path = server.kubeconfig(tmp_path / f"kubeconfig-{len(clients)}", **kubeconfig_options)
        configuration = kubernetes.client.Configuration()
        kubernetes.config.load_kube_config(
            config_file=str(path), client_configuration=configuration
        )
        clients.append(kubernetes.client.ApiClient(configuration))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(kubeapi: KubeApiServer, make_client: ClientFactory) -> kubernetes.client.ApiClient:
    return make_client(kubeapi)


@pytest.fixture
def networking(client: kubernetes.client.ApiClient) -> kubernetes.client.NetworkingV1Api:
    return kubernetes.client.NetworkingV1Api(client)


@pytest.fixture
def custom(client: kubernetes.client.ApiClient) -> kubernetes.client.CustomObjectsApi:
    return kubernetes.client.CustomObjectsApi(client)


@pytest.fixture
def collect() -> Callable[..., list[dict]]:
    """Read a bounded watch (it ends at `seconds` at the latest) until `until(events)` holds."""

    def read(
        func: Callable[..., Any],
        *args: Any,
        until: Callable[[list[dict]], bool],
        seconds: int = 5,
        **kwargs: Any,
    ) -> list[dict]:
        events: list[dict] = []
        stream = kubernetes.watch.Watch().stream(
            func, *args, timeout_seconds=seconds, _request_timeout=(2, seconds + 5), **kwargs
        )
        for event in stream:
            events.append(event)
            if until(events):
                stream.close()
                break
        return events

    return read


@pytest.fixture
def once_watching() -> Iterator[Callable[..., gevent.Greenlet]]:
    """Run actions in order once a watch is open on a server, while the test reads the stream."""
    greenlets: list[gevent.Greenlet] = []

    def spawn(server: KubeApiServer, *actions: Callable[[], object]) -> gevent.Greenlet:
        def run() -> None:
            server.wait_for_watches(1)
            for action in actions:
                action()

        greenlets.append(gevent.spawn(run))
        return greenlets[-1]

    yield spawn
    for greenlet in greenlets:
        greenlet.get(timeout=5)  # re-raises what failed in an action


@pytest.fixture
def ingress() -> Callable[..., dict[str, Any]]:
    """Builds an Ingress manifest."""

    def build(name: str, namespace: str = "default", host: str = "a.example") -> dict[str, Any]:
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"rules": [{"host": host}]},
        }

    return build


@pytest.fixture
def application() -> Callable[..., dict[str, Any]]:
    """Builds a startpunkt Application manifest."""

    def build(name: str, namespace: str = "default", version: str = "v1alpha4") -> dict:
        return {
            "apiVersion": f"startpunkt.ullberg.us/{version}",
            "kind": "Application",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"name": name.title(), "url": f"https://{name}.example"},
        }

    return build
