"""Availability: is something answering at each application's URL?

`probe` makes one check of one URL; `prober` decides when each distinct URL is checked
(interval, backoff, new URLs soon) and hands results to `Catalog.set_available`, which updates
the applications and announces real changes (STATUS_CHANGED).
"""

from __future__ import annotations

from flask import Flask

from startpunkt.availability import prober


def init_app(app: Flask) -> None:
    """Start probing application URLs when `availability.enabled`."""
    prober.init_app(app)
