"""A ConfigMap mounted as the manifest directory: the kubelet's `..data` swap is an update.

The kubelet writes the new files into a fresh timestamped directory, renames a `..data_tmp`
symlink over `..data`, then deletes the old directory; the visible names are symlinks through
`..data`. Items must follow, keep their `file:<visible path>` origin, and never duplicate via
the hidden directories.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from startpunkt.sources import files


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_configmap_update_swaps_the_items(
    kit, start_source, catalog, tmp_path: Path, polling: bool
):
    root = tmp_path / "manifests"
    kit.configmap_volume(
        root, "2024_01_01_1", {"media.yaml": kit.ingress("plex"), "home.yaml": kit.ingress("hass")}
    )
    start_source(root, polling=polling)
    assert kit.names(catalog) == ["hass", "plex"]
    assert catalog.origins() == [
        files.file_origin(str(root / "home.yaml")),
        files.file_origin(str(root / "media.yaml")),
    ]
    kit.configmap_volume(
        root,
        "2024_01_01_2",
        {"media.yaml": kit.ingress("plex", app_name="Plex"), "home.yaml": kit.ingress("hass")},
    )
    kit.wait_for(lambda: kit.names(catalog) == ["Plex", "hass"], timeout=6.0, what="update")
    kit.configmap_volume(root, "2024_01_01_3", {"media.yaml": kit.ingress("plex", app_name="Plex")})
    kit.wait_for(lambda: kit.names(catalog) == ["Plex"], timeout=6.0, what="key removed")
    assert catalog.origins() == [files.file_origin(str(root / "media.yaml"))]
