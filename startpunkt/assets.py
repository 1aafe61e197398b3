"""Where the front-end data installed from npm lives: icon sets and Swagger UI.

`npm ci --omit=dev --ignore-scripts` (package.json, package-lock.json) installs it into
`node_modules/` beside the app; `$STARTPUNKT_ASSETS` names another directory holding that
`node_modules/`. Nothing here is committed, and every part that uses it works without it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ENV = "STARTPUNKT_ASSETS"
APP_ROOT = Path(__file__).resolve().parent.parent
"""The directory holding `startpunkt/`, `templates/` and `static/` (as `startpunkt.ROOT`)."""


def modules() -> Path:
    """The `node_modules` directory to read (it may not exist)."""
    return Path(os.environ.get(ENV) or APP_ROOT) / "node_modules"


def package(name: str) -> Path | None:
    """The installed npm package `name` (e.g. `swagger-ui-dist`), or None."""
    path = modules() / name
    return path if (path / "package.json").is_file() else None


def version(path: Path) -> str:
    """The version an installed package declares."""
    return str(json.loads((path / "package.json").read_text(encoding="utf-8"))["version"])
