"""Kubernetes source: placeholder until the discovery issue lands."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> bool:
    """Start watching the cluster if one is configured; True when a cluster is used."""
    return False
