"""Fixtures for the file source and the watcher: real files in tmp_path, a real Catalog.

Everything runs in greenlets of the gevent-patched test process, so tests wait for conditions
with a deadline (`kit.wait_for`) instead of sleeping and hoping. Test modules reach the helpers
through the `kit` fixture (conftest modules are not imported).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from startpunkt.catalog import Catalog
from startpunkt.config import Settings
from startpunkt.readiness import Readiness
from startpunkt.sources import files
from testkit import configmap, snapshot, wait


def write(path: Path, text: str) -> Path:
    """Write dedented `text` to `path`, creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def ingress(
    name: str,
    *,
    app_name: str | None = None,
    namespace: str | None = None,
    group: str | None = None,
    url: str | None = None,
) -> str:
    """An Ingress opted in with Startpunkt annotations, as one YAML document."""
    lines = ["apiVersion: networking.k8s.io/v1", "kind: Ingress", "metadata:", f"  name: {name}"]
    if namespace:
        lines.append(f"  namespace: {namespace}")
    lines += ["  annotations:", '    startpunkt.ullberg.us/enable: "true"']
    if app_name:
        lines.append(f"    startpunkt.ullberg.us/appName: {app_name}")
    if group:
        lines.append(f"    startpunkt.ullberg.us/group: {group}")
    if url:
        lines.append(f"    startpunkt.ullberg.us/url: {url}")
    lines += ["spec:", "  rules:", f"    - host: {name}.example.com"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def kit() -> SimpleNamespace:
    return SimpleNamespace(
        wait_for=wait.wait_for,
        stays=wait.stays,
        write=write,
        ingress=ingress,
        names=snapshot.names,
        app_url=snapshot.app_url,
        configmap_volume=configmap.mount,
    )


@pytest.fixture
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture
def readiness() -> Readiness:
    return Readiness()


@pytest.fixture
def settings_box() -> dict[str, Settings]:
    """The settings the source reads, replaceable by a test (as a live reload would)."""
    return {"settings": Settings()}


@pytest.fixture
def start_source(
    catalog: Catalog, readiness: Readiness, settings_box: dict[str, Settings]
) -> Iterator[Callable[..., files.FileSource]]:
    """Start a FileSource on a directory and wait for its first read; stopped at teardown."""
    started: list[files.FileSource] = []

    def start(directory: Path, *, polling: bool = False) -> files.FileSource:
        source = files.FileSource(
            str(directory),
            catalog=catalog,
            readiness=readiness,
            settings=lambda: settings_box["settings"],
            polling=polling,
        )
        source.start()
        started.append(source)
        wait.wait_for(
            lambda: readiness.sources()[source.name].state != "starting",
            timeout=5.0,
            what="first read",
        )
        return source

    yield start
    for source in started:
        source.stop()
