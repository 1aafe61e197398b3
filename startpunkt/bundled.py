"""The files startpunkt serves besides its code, and where each is found.

Shipped with it: the page (`templates/`, `static/`), the example and `gunicorn.conf.py`. SPEC's
layout keeps them beside the package, and so do a checkout and the container image; an installed
wheel cannot put files outside its packages, so it carries them inside `startpunkt/`
(pyproject.toml). Installed from npm (package.json, `npm ci --omit=dev --ignore-scripts`): the
icon sets and Swagger UI, in `node_modules/` beside the app or under `$STARTPUNKT_ASSETS`; never
committed, and every part that uses them works without them. Pure: pathlib and json only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
ASSETS_ENV = "STARTPUNKT_ASSETS"
"""Names a directory whose `node_modules/` holds the npm data (the image sets it)."""


def path(name: str) -> Path:
    """Where `templates`, `static`, `examples` or `gunicorn.conf.py` is: in the package if there."""
    inside = PACKAGE / name
    return inside if inside.exists() else ROOT / name


def npm_modules() -> Path:
    """The `node_modules` directory to read (it may not exist)."""
    return Path(os.environ.get(ASSETS_ENV) or ROOT) / "node_modules"


def npm_package(name: str) -> Path | None:
    """The installed npm package `name` (e.g. `swagger-ui-dist`), or None."""
    package = npm_modules() / name
    return package if (package / "package.json").is_file() else None


def npm_version(package: Path) -> str:
    """The version an installed npm package declares."""
    return str(json.loads((package / "package.json").read_text(encoding="utf-8"))["version"])
