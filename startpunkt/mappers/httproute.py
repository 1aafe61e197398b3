"""Gateway API HTTPRoute (gateway.networking.k8s.io): the link an annotated one gets.

The scheme comes from the `startpunkt.ullberg.us/protocol` annotation or `defaultProtocol`, the
host from `spec.hostnames[0]`, and the path from the first path match when it is a plain
`PathPrefix` or `Exact` path. A `url` annotation wins, which the reference ignored for HTTPRoutes.
"""

from __future__ import annotations

from typing import Any

from startpunkt.mappers import shapes, urls

_LITERAL_MATCHES = ("PathPrefix", "Exact")
"""Path match types whose value is a path; `RegularExpression` is not a link."""


def derived_url(spec: dict[str, Any], *, scheme: str) -> str | None:
    """`scheme://` and `spec.hostnames[0]`, plus the first literal path; None without a host."""
    hostnames = shapes.sequence(spec.get("hostnames"))
    base = urls.base_url(scheme, hostnames[0]) if hostnames else None
    if base is None:
        return None
    return base + (first_path(spec) or "")


def first_path(spec: dict[str, Any]) -> str | None:
    """The first path match's value, when it is a literal, plain path other than `/`."""
    for rule in shapes.sequence(spec.get("rules")):
        for match in shapes.sequence(shapes.mapping(rule).get("matches")):
            path = shapes.mapping(shapes.mapping(match).get("path"))
            if path:
                # The Gateway API's default match type is PathPrefix.
                if path.get("type", "PathPrefix") not in _LITERAL_MATCHES:
                    return None
                return urls.plain_path(path.get("value"))
    return None
