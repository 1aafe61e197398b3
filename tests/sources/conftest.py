"""Fixtures for the file source and the watcher: real files in tmp_path, a real Catalog.

Everything runs in greenlets of the gevent-patched test process, so tests wait for conditions
with a deadline (`kit.wait_for`) instead of sleeping and hoping. Test modules reach the helpers
through the `kit` fixture (conftest modules are not imported).
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from startpunkt.catalog import Catalog
from startpunkt.config import Settings
from startpunkt.readiness import Readiness
from startpunkt.sources import files
from startpunkt.testing import snapshot, wait


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


def configmap_volume(root: Path, version: str, contents: dict[str, str]) -> None:
    """Lay out or update `root` the way the kubelet mounts a ConfigMap.

    Files live in a timestamped directory `..<version>`; `..data` points at it; each key is a
    symlink through `..data`. An update writes a new timestamped directory, swaps `..data`
    atomically with a rename, drops the links of removed keys, then removes the old directory.
    """
    root.mkdir(exist_ok=True)
    stamped = root / f"..{version}"
    stamped.mkdir()
    for name, text in contents.items():
        (stamped / name).write_text(text)
    previous = os.readlink(root / "..data") if (root / "..data").is_symlink() else None
    (root / "..data_tmp").symlink_to(stamped.name)
    os.replace(root / "..data_tmp", root / "..data")
    for name in contents:
        if not (root / name).is_symlink():
            (root / name).symlink_to(f"..data/{name}")
    for child in root.iterdir():  # keys dropped from the ConfigMap
        if child.is_symlink() and child.name not in contents and not child.name.startswith(".."):
            child.unlink()
    if previous:
        for child in (root / previous).iterdir():
            child.unlink()
        (root / previous).rmdir()


@pytest.fixture
def kit() -> SimpleNamespace:
    return SimpleNamespace(
        wait_for=wait.wait_for,
        stays=wait.stays,
        write=write,
        ingress=ingress,
        names=snapshot.names,
        app_url=snapshot.app_url,
        configmap_volume=configmap_volume,
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
