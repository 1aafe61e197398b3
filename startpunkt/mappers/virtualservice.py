"""Istio VirtualService (networking.istio.io): the link its host gives an annotated one.

The spec does not say which scheme clients use, so the `startpunkt.ullberg.us/protocol`
annotation or the configured `defaultProtocol` does; the host is `spec.hosts[0]`. A `url`
annotation wins, which the reference ignored for VirtualServices.
"""

from __future__ import annotations

from typing import Any

from startpunkt.mappers import shapes, urls


def derived_url(spec: dict[str, Any], *, scheme: str) -> str | None:
    """`scheme://` and `spec.hosts[0]`; None for no host or a wildcard host."""
    hosts = shapes.sequence(spec.get("hosts"))
    return urls.base_url(scheme, hosts[0]) if hosts else None
