"""Manifest directories for the browser tests: the objects a homelab would have, as YAML.

The servers under test read these through the file source, so editing a file here is the same
as editing a custom resource in a cluster: the page must follow without a reload.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

API_VERSION = "startpunkt.ullberg.us/v1alpha4"
XSS = "<img src=x onerror=alert(1)>"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "item"


def application(name: str, group: str, url: str, **spec: Any) -> dict[str, Any]:
    """A startpunkt Application resource; `resource` overrides metadata.name."""
    resource = spec.pop("resource", slug(name))
    return {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": {"name": resource, "namespace": "default"},
        "spec": {"name": name, "group": group, "url": url, **spec},
    }


def bookmark(name: str, group: str, url: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "Bookmark",
        "metadata": {"name": slug(name), "namespace": "default"},
        "spec": {"name": name, "group": group, "url": url, **spec},
    }


def write(path: Path, documents: list[dict[str, Any]]) -> None:
    """Replace `path` with these YAML documents."""
    write_text(path, yaml.safe_dump_all(documents, sort_keys=False))


def write_text(path: Path, text: str) -> None:
    """Replace `path` atomically, so a watcher never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


APPS: list[tuple[str, str, str, str, dict[str, Any]]] = [
    # name, group, icon, info, further spec fields
    (
        "Jellyfin",
        "Media",
        "mdi:play-circle",
        "Movies, shows and music for the whole house",
        {"targetBlank": True},
    ),
    ("Sonarr", "Media", "mdi:television-classic", "Keeps the TV series coming", {}),
    ("Radarr", "Media", "mdi:filmstrip", "Movie collection manager", {}),
    ("Audiobookshelf", "Media", "mdi:headphones", "Audiobooks and podcasts", {}),
    (
        "Home Assistant",
        "Home",
        "mdi:home-assistant",
        "Lights, heating and the robot vacuum",
        {"location": 1},
    ),
    ("Node-RED", "Home", "mdi:sitemap", "Automations wired as flows", {}),
    ("Frigate", "Home", "mdi:cctv", "Cameras with object detection", {}),
    (
        "Grafana",
        "Monitoring",
        "simple-icons:grafana",
        "Dashboards for everything",
        {"iconColor": "#F46800", "location": 1},
    ),
    ("Prometheus", "Monitoring", "simple-icons:prometheus", "Metrics and alerting rules", {}),
    ("Uptime Kuma", "Monitoring", "mdi:heart-pulse", "Status page for the outside world", {}),
    ("Gitea", "Development", "simple-icons:gitea", "Git hosting, issues and CI", {}),
    ("Argo CD", "Development", "simple-icons:argo", "GitOps deployments", {"tags": "admin"}),
    ("Harbor", "Development", "simple-icons:harbor", "Container registry with scanning", {}),
]
BOOKMARKS: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "Kubernetes docs",
        "Documentation",
        "https://kubernetes.io/docs/",
        {"icon": "simple-icons:kubernetes"},
    ),
    (
        "Flask",
        "Documentation",
        "https://flask.palletsprojects.com/",
        {"info": "Web framework docs"},
    ),
    ("gevent", "Documentation", "https://www.gevent.org/", {}),
    (
        "Hacker News",
        "Reading",
        "https://news.ycombinator.com/",
        {"icon": "simple-icons:ycombinator"},
    ),
    ("LWN.net", "Reading", "https://lwn.net/", {"info": "Linux and free software news"}),
]


def homelab(url: Callable[[str], str] | None = None) -> list[dict[str, Any]]:
    """The demo set the screenshots show; `url(slug)` chooses each application's URL."""
    link = url or (lambda name: f"https://{name}.home.example")
    apps = [
        application(name, group, link(slug(name)), icon=icon, info=info, **more)
        for name, group, icon, info, more in APPS
    ]
    marks = [bookmark(name, group, href, **more) for name, group, href, more in BOOKMARKS]
    return apps + marks


def extras() -> list[dict[str, Any]]:
    """What the UI tests need beyond the demo: tags to filter by, a hostile name."""
    return [
        application(
            "Navidrome",
            "Media",
            "https://navidrome.home.example",
            info="Music server",
            tags="music, Streaming",
        ),
        application("Kibana", "Monitoring", "https://kibana.home.example", info="Logs", tags="ops"),
        application(XSS, "Misc", "https://xss.home.example", resource="xss", info=XSS),
    ]
