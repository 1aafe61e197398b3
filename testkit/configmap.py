"""A ConfigMap volume laid out on disk the way the kubelet does it, for watcher and reload tests.

The kubelet's update is the hard case for a file watcher: the visible names are symlinks through
`..data`, and an update swaps `..data` with one rename, then deletes the old directory.
"""

from __future__ import annotations

import os
from pathlib import Path


def mount(root: Path, version: str, contents: dict[str, str]) -> None:
    """Lay out or update `root` (file name → text) as the kubelet mounts a ConfigMap.

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
