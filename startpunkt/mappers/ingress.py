"""Ingress (networking.k8s.io): the link the first rule gives an annotated Ingress.

The reference showed no link without a `url` annotation. Here the first rule's host gives one:
`https` when `spec.tls` covers that host, plus the rule's first path when it is a plain path
other than `/` (a regex path such as `/app(/|$)(.*)` is not a link, so it is left off).
`admits` applies `ingress.ingressClassNames` and `includeUnclassified`.
"""

from __future__ import annotations

from typing import Any

from startpunkt.config import Settings
from startpunkt.mappers import results, shapes, urls

LEGACY_CLASS = "kubernetes.io/ingress.class"
"""The annotation that named the class before `spec.ingressClassName` (still widely used)."""


def derived_url(spec: dict[str, Any]) -> str | None:
    """The link the first rule describes; None for a catch-all or wildcard rule."""
    rules = shapes.sequence(spec.get("rules"))
    if not rules:
        return None
    rule = shapes.mapping(rules[0])
    host = rule.get("host")
    base = urls.base_url("https" if tls_covers(spec, host) else "http", host)
    if base is None:
        return None
    paths = shapes.sequence(shapes.mapping(rule.get("http")).get("paths"))
    path = urls.plain_path(shapes.mapping(paths[0]).get("path")) if paths else None
    return base + (path or "")


def ingress_class(obj: shapes.KubeObject) -> str | None:
    """`spec.ingressClassName`, else the legacy annotation; None when neither names one."""
    for value in (
        shapes.spec(obj).get("ingressClassName"),
        shapes.annotations(obj).get(LEGACY_CLASS),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def admits(obj: shapes.KubeObject, settings: Settings) -> str | None:
    """Why the class settings (`ingressClassNames`, `includeUnclassified`) keep it out, or None."""
    wanted = settings.ingress.ingress_class_names
    name = ingress_class(obj)
    if name is None:
        return None if settings.ingress.include_unclassified else "it names no ingress class"
    if not wanted or name in wanted:
        return None
    return f"its ingress class {results.show(name)} is not in ingress.ingressClassNames"


def tls_covers(spec: dict[str, Any], host: Any) -> bool:
    """True when a `spec.tls` entry names the host (wildcards included) or names no hosts."""
    for entry in shapes.sequence(spec.get("tls")):
        if not isinstance(entry, dict):
            continue
        hosts = shapes.sequence(entry.get("hosts"))
        # An entry without hosts is the controller's default certificate, for every host.
        if not hosts or any(_host_matches(host, pattern) for pattern in hosts):
            return True
    return False


def _host_matches(host: Any, pattern: Any) -> bool:
    if not isinstance(host, str) or not isinstance(pattern, str):
        return False
    host, pattern = host.lower(), pattern.lower()
    if pattern.startswith("*."):
        label, _, rest = host.partition(".")
        return bool(label) and rest == pattern[2:]
    return host == pattern
