"""OpenShift Route (route.openshift.io): the link `spec.host` gives an annotated Route.

`https` when `spec.tls` is set, else `http`; then `spec.path` when it is a plain path. A Route
without a host gives no link (the reference invented `localhost`). A `url` annotation wins, which
the reference ignored for Routes.
"""

from __future__ import annotations

from typing import Any

from startpunkt.mappers import urls


def derived_url(spec: dict[str, Any]) -> str | None:
    """The scheme and `spec.host`, plus a plain `spec.path`; None without a usable host."""
    base = urls.base_url("https" if isinstance(spec.get("tls"), dict) else "http", spec.get("host"))
    if base is None:
        return None
    return base + (urls.plain_path(spec.get("path")) or "")
