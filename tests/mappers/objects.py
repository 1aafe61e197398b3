"""Builders for the raw objects the mappers read, and small helpers to look at results."""

from __future__ import annotations

import dataclasses
from typing import Any

from startpunkt import mappers, model
from startpunkt.config import Settings

NAMESPACE = "apps"


def obj(
    api_version: str,
    kind: str,
    *,
    name: str = "web",
    namespace: str = NAMESPACE,
    annotations: dict[str, Any] | None = None,
    spec: Any = None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if annotations is not None:
        metadata["annotations"] = annotations
    out: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    if spec is not None:
        out["spec"] = spec
    return out


def ingress(*, host: str = "web.example.com", **kw: Any) -> dict[str, Any]:
    kw.setdefault("spec", {"rules": [{"host": host}]})
    return obj("networking.k8s.io/v1", "Ingress", **kw)


def route(**kw: Any) -> dict[str, Any]:
    kw.setdefault("spec", {"host": "web.apps.example.com"})
    return obj("route.openshift.io/v1", "Route", **kw)


def virtualservice(**kw: Any) -> dict[str, Any]:
    kw.setdefault("spec", {"hosts": ["web.example.com"]})
    return obj("networking.istio.io/v1", "VirtualService", **kw)


def httproute(**kw: Any) -> dict[str, Any]:
    kw.setdefault("spec", {"hostnames": ["web.example.com"]})
    return obj("gateway.networking.k8s.io/v1", "HTTPRoute", **kw)


def ingressroute(group: str = "traefik.io", **kw: Any) -> dict[str, Any]:
    kw.setdefault("spec", {"routes": [{"match": "Host(`web.example.com`)", "kind": "Rule"}]})
    return obj(f"{group}/v1alpha1", "IngressRoute", **kw)


def application(version: str = "v1alpha4", **kw: Any) -> dict[str, Any]:
    kw.setdefault("spec", {"name": "Web", "url": "https://web.example.com"})
    return obj(f"startpunkt.ullberg.us/{version}", "Application", **kw)


def bookmark(version: str = "v1alpha4", **kw: Any) -> dict[str, Any]:
    kw.setdefault("spec", {"name": "Docs", "group": "Links", "url": "https://docs.example.com"})
    return obj(f"startpunkt.ullberg.us/{version}", "Bookmark", **kw)


def hajimari_application(**kw: Any) -> dict[str, Any]:
    kw.setdefault("spec", {"name": "Web", "group": "Media", "url": "https://web.example.com"})
    return obj("hajimari.io/v1alpha1", "Application", **kw)


def hajimari_bookmark(**kw: Any) -> dict[str, Any]:
    kw.setdefault("spec", {"name": "Docs", "group": "Links", "url": "https://docs.example.com"})
    return obj("hajimari.io/v1alpha1", "Bookmark", **kw)


OPTED_IN = {"startpunkt.ullberg.us/enable": "true"}

ALL_ANNOTATED_KINDS = {
    "ingress": ingress,
    "route": route,
    "virtualservice": virtualservice,
    "httproute": httproute,
    "ingressroute": ingressroute,
}


def settings(**changes: Any) -> Settings:
    """Settings with top-level fields replaced (nested ones via dataclasses.replace)."""
    return dataclasses.replace(Settings(), **changes)


def only(mapped: mappers.Mapped) -> Any:
    """The single item an object mapped to."""
    assert len(mapped.items) == 1, mapped
    return mapped.items[0]


def only_app(o: dict[str, Any], s: Settings | None = None) -> model.Application:
    item = only(mappers.map_object(o, s or Settings()))
    assert isinstance(item, model.Application)
    return item


def problem_fields(mapped: mappers.Mapped) -> list[str | None]:
    return [p.field for p in mapped.problems]
