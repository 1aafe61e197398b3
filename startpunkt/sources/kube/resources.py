"""The resources startpunkt watches in a cluster (SPEC 2.1), and which of them the settings want.

A `Resource` is what one informer lists and watches: an API group, its plural, the kind its
objects carry, and the versions it can be read in, preferred first (a cluster that serves only
an older version of a CRD, say Istio's v1beta1 VirtualService, is still read). Whether a resource
is switched on is decided by the mapper table (`mappers.MAPPINGS`), so the file source and the
cluster agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from startpunkt import mappers
from startpunkt.config import Settings

_STARTPUNKT_VERSIONS = ("v1alpha4", "v1alpha3", "v1alpha2", "v1alpha1")


@dataclass(frozen=True)
class Resource:
    """One watched resource: API group, plural, kind, and the versions to try."""

    group: str
    plural: str
    kind: str
    versions: tuple[str, ...]

    @property
    def name(self) -> str:
        """`ingresses.networking.k8s.io`, as RBAC and CRD names spell it."""
        return f"{self.plural}.{self.group}"

    def enabled(self, settings: Settings) -> bool:
        return mappers.MAPPINGS[(self.group, self.kind)].enabled(settings)


RESOURCES: tuple[Resource, ...] = (
    Resource("startpunkt.ullberg.us", "applications", "Application", _STARTPUNKT_VERSIONS),
    Resource("startpunkt.ullberg.us", "bookmarks", "Bookmark", _STARTPUNKT_VERSIONS),
    Resource("hajimari.io", "applications", "Application", ("v1alpha1",)),
    Resource("hajimari.io", "bookmarks", "Bookmark", ("v1alpha1",)),
    Resource("networking.k8s.io", "ingresses", "Ingress", ("v1",)),
    Resource("route.openshift.io", "routes", "Route", ("v1",)),
    Resource(
        "networking.istio.io", "virtualservices", "VirtualService", ("v1", "v1beta1", "v1alpha3")
    ),
    Resource("gateway.networking.k8s.io", "httproutes", "HTTPRoute", ("v1", "v1beta1")),
    # Traefik v3 serves traefik.io; v2 (and clusters mid-upgrade) also traefik.containo.us.
    Resource("traefik.io", "ingressroutes", "IngressRoute", ("v1alpha1",)),
    Resource("traefik.containo.us", "ingressroutes", "IngressRoute", ("v1alpha1",)),
)


def informer_origin(resource: Resource, namespace: str | None) -> str:
    """The catalog origin (and readiness name) of one informer: `kube:<resource>[/<ns>]`."""
    return f"kube:{resource.name}/{namespace}" if namespace else f"kube:{resource.name}"


def namespaces(settings: Settings) -> list[str | None]:
    """None (one cluster-wide watch per resource) or each selected namespace."""
    selector = settings.namespace_selector
    if selector.any:
        return [None]
    return sorted(set(selector.match_names))


def wanted(settings: Settings) -> list[tuple[Resource, str | None]]:
    """Every (resource, namespace) the settings ask to watch, in a stable order."""
    return [(r, ns) for r in RESOURCES if r.enabled(settings) for ns in namespaces(settings)]
