"""Several startpunkt instances following each other, for live tests, browser tests and the
benchmark: the settings of each, as gunicorn gets them (environment, and a config file for the
list of remotes, which only a file can hold), and the servers a test starts and stops.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from testkit import live

FAST_EVENTS = {
    "STARTPUNKT_REALTIME_EVENTDEBOUNCEMS": "50",
    "STARTPUNKT_REALTIME_HEARTBEATINTERVAL": "2s",
    "STARTPUNKT_REALTIME_MAXCONNECTIONSPERCLIENT": "10000",
    "STARTPUNKT_AVAILABILITY_ENABLED": "false",
}
"""Quick events and heartbeats (a silent stream is dead after 4 s), no probes, any client count."""


def files_instance(manifests: Path, name: str) -> dict[str, str]:
    """An instance serving `manifests`, its cluster called `name`."""
    return {**live.files_env(manifests), **FAST_EVENTS, "STARTPUNKT_CLUSTERS_LOCAL_NAME": name}


def kube_instance(kubeconfig: Path, name: str) -> dict[str, str]:
    """An instance watching the cluster of `kubeconfig`, its cluster called `name`."""
    return {
        **FAST_EVENTS,
        "STARTPUNKT_KUBERNETES_ENABLED": "true",
        "STARTPUNKT_KUBERNETES_KUBECONFIG": str(kubeconfig),
        "STARTPUNKT_CONFIG": "",
        "STARTPUNKT_CLUSTERS_LOCAL_NAME": name,
    }


def following(
    config: Path,
    remotes: Mapping[str, str],
    *,
    name: str,
    manifests: Path | None = None,
    remote_extra: Mapping[str, Any] | None = None,
    **startpunkt: Any,
) -> dict[str, str]:
    """An instance following `remotes` (cluster name → base URL), its own cluster `name`; its
    own items from `manifests`, or none. Writes its `application.yaml` to `config`."""
    document = {
        "startpunkt": {
            "clusters": {
                "local": {"name": name},
                "remote": [
                    {"name": remote, "url": url, **(remote_extra or {})}
                    for remote, url in remotes.items()
                ],
            },
            "manifests": {"enabled": manifests is not None},
            "kubernetes": {"enabled": False},
            **startpunkt,
        }
    }
    if manifests is not None:
        document["startpunkt"]["manifests"]["directory"] = str(manifests)
    config.write_text(yaml.safe_dump(document), encoding="utf-8")
    return {**FAST_EVENTS, "STARTPUNKT_CONFIG": str(config)}


def items(server: live.Server, path: str = "/api/apps") -> list[dict[str, Any]]:
    """Every item of a list answer (`?scope=local` and friends may be in `path`)."""
    status, body = live.get_json(server.url + path)
    assert status == 200, (status, body)
    member = "bookmarks" if path.startswith("/api/bookmarks") else "applications"
    return [item for group in body["groups"] for item in group[member]]


def source(server: live.Server, name: str) -> dict[str, Any] | None:
    """The readiness check of source `name` (`remote:a`), or None."""
    _, body = live.get_json(server.url + "/q/health/ready")
    for check in body["checks"]:
        if check["name"] == f"source {name}":
            return check
    return None


class Instances:
    """The servers one test starts, each logging to `<directory>/<name>-<n>.log`."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._started: list[live.Server] = []

    def start(self, env: dict[str, str], name: str, *, port: int | None = None) -> live.Server:
        """Start one (on `port`, to come back where it was) and wait until it is ready."""
        log_path = self._directory / f"{name}-{len(self._started)}.log"
        server = live.Server(env, port=port, log_path=log_path)
        self._started.append(server)
        return server.start(timeout=60, ready=True)

    def stop(self) -> None:
        """Stop every one started."""
        for server in self._started:
            server.stop()
