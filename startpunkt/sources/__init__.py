"""Sources: where objects come from (Kubernetes watches, manifest files).

A source turns raw objects into items with `startpunkt.mappers` and writes them to the catalog
under its own origin names; it reports progress to `startpunkt.readiness`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Start the configured sources (filled in by the source issues)."""
