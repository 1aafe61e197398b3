"""The kinds startpunkt watches in a cluster (SPEC 2.1), and which informers the settings ask for.

Each kind lists the versions it can be read in, preferred first: a cluster that serves only an
older version of a CRD (say Istio's v1beta1 VirtualService) is still read. Whether a kind is
switched on is decided by the mapper table, so the file source and the cluster agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from startpunkt import mappers
from startpunkt.config import Settings

_STARTPUNKT_VERSIONS = ("v1alpha4", "v1alpha3", "v1alpha2", "v1alpha1")


@dataclass(frozen=True)
class Kind:
    """One watched resource: API group, plural, kind, and the versions to try."""

    group: str
    plural: str
    kind: str
    versions: tuple[str, ...]

    @property
    def resource(self) -> str:
        """`ingresses.networking.k8s.io`, as RBAC and CRD names spell it."""
        return f"{self.plural}.{self.group}"

    def enabled(self, settings: Settings) -> bool:
        return mappers.KINDS[(self.group, self.kind)].enabled(settings)


KINDS: tuple[Kind, ...] = (
    Kind("startpunkt.ullberg.us", "applications", "Application", _STARTPUNKT_VERSIONS),
    Kind("startpunkt.ullberg.us", "bookmarks", "Bookmark", _STARTPUNKT_VERSIONS),
    Kind("hajimari.io", "applications", "Application", ("v1alpha1",)),
    Kind("hajimari.io", "bookmarks", "Bookmark", ("v1alpha1",)),
    Kind("networking.k8s.io", "ingresses", "Ingress", ("v1",)),
    Kind("route.openshift.io", "routes", "Route", ("v1",)),
    Kind("networking.istio.io", "virtualservices", "VirtualService", ("v1", "v1beta1", "v1alpha3")),
    Kind("gateway.networking.k8s.io", "httproutes", "HTTPRoute", ("v1", "v1beta1")),
)


def origin(kind: Kind, namespace: str | None) -> str:
    """The catalog origin (and readiness name) of one informer: `kube:<resource>[/<ns>]`."""
    return f"kube:{kind.resource}/{namespace}" if namespace else f"kube:{kind.resource}"


def namespaces(settings: Settings) -> list[str | None]:
    """None (one cluster-wide watch per kind) or each selected namespace."""
    selector = settings.namespace_selector
    if selector.any:
        return [None]
    return sorted(set(selector.match_names))


def wanted(settings: Settings) -> list[tuple[Kind, str | None]]:
    """Every (kind, namespace) the settings ask to watch, in a stable order."""
    return [(k, ns) for k in KINDS if k.enabled(settings) for ns in namespaces(settings)]
