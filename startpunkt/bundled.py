"""The files startpunkt ships besides its code: the page, the example and gunicorn.conf.py.

SPEC's layout keeps `templates/`, `static/`, `examples/` and `gunicorn.conf.py` beside the
package, and so do a checkout and the container image. An installed wheel cannot put files
outside its packages, so it carries them inside `startpunkt/` (pyproject.toml). Pure: pathlib only.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def path(name: str) -> Path:
    """Where `templates`, `static`, `examples` or `gunicorn.conf.py` is: in the package if there."""
    inside = PACKAGE / name
    return inside if inside.exists() else ROOT / name
