"""A ConfigMap mounted as the manifest directory: the kubelet's `..data` swap is an update.

The kubelet writes the new files into a fresh timestamped directory, renames a `..data_tmp`
symlink over `..data`, then deletes the old directory; the visible names are symlinks through
`..data`. Items must follow, keep their `file:<visible path>` origin, and never duplicate via
the hidden directories.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from startpunkt.sources import files


def mount(root: Path, version: str, contents: dict[str, str]) -> None:
    """Create or update `root` the way the kubelet updates a ConfigMap volume."""
    root.mkdir(exist_ok=True)
    stamped = root / f"..2024_01_01_{version}"
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


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_configmap_update_swaps_the_items(
    kit, start_source, catalog, tmp_path: Path, polling: bool
):
    root = tmp_path / "manifests"
    mount(root, "1", {"media.yaml": kit.ingress("plex"), "home.yaml": kit.ingress("hass")})
    start_source(root, polling=polling)
    assert kit.names(catalog) == ["hass", "plex"]
    assert catalog.origins() == [
        files.origin(str(root / "home.yaml")),
        files.origin(str(root / "media.yaml")),
    ]
    mount(
        root,
        "2",
        {"media.yaml": kit.ingress("plex", app_name="Plex"), "home.yaml": kit.ingress("hass")},
    )
    kit.wait_for(lambda: kit.names(catalog) == ["Plex", "hass"], timeout=6.0, what="update")
    mount(root, "3", {"media.yaml": kit.ingress("plex", app_name="Plex")})
    kit.wait_for(lambda: kit.names(catalog) == ["Plex"], timeout=6.0, what="key removed")
    assert catalog.origins() == [files.origin(str(root / "media.yaml"))]
