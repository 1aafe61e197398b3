"""Which resource types the fake API server serves, and in which versions.

A real cluster learns its types from built-in code and CustomResourceDefinitions; here a test
registers them (or removes them) at any moment, so "a CRD installed later" can be simulated.
Versions of one group/plural share their objects, like a CRD with conversion strategy None.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

_VERSION_RE = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


@dataclasses.dataclass(frozen=True)
class ResourceType:
    """One served group/version/plural."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True
    # Built-in (non-CRD) APIs leave kind/apiVersion out of list items; CRDs keep them.
    builtin: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def name(self) -> str:
        return resource_name(self.group, self.plural)

    @property
    def storage_key(self) -> tuple[str, str]:
        return (self.group, self.plural)

    def matches(self, target: str) -> bool:
        return name_matches(target, self.name)


def resource_name(group: str, plural: str) -> str:
    """`plural.group` (or just `plural` for the core group), as in RBAC and CRD names."""
    return f"{plural}.{group}" if group else plural


def name_matches(target: str, name: str) -> bool:
    """A target names a resource by `plural` (any group) or by `plural.group`."""
    return target in (name, name.partition(".")[0])


def _builtin(group: str, version: str, plural: str, kind: str, *, namespaced: bool = True):
    return ResourceType(group, version, plural, kind, namespaced=namespaced, builtin=True)


def _custom_versions(group: str, versions: list[str], plural: str, kind: str) -> list[ResourceType]:
    return [ResourceType(group, version, plural, kind) for version in versions]


_STARTPUNKT_VERSIONS = ["v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4"]

DEFAULT_TYPES: tuple[ResourceType, ...] = (
    _builtin("", "v1", "namespaces", "Namespace", namespaced=False),
    _builtin("", "v1", "services", "Service"),
    _builtin("", "v1", "configmaps", "ConfigMap"),
    _builtin("", "v1", "secrets", "Secret"),
    _builtin("networking.k8s.io", "v1", "ingresses", "Ingress"),
    _builtin("route.openshift.io", "v1", "routes", "Route"),
    ResourceType("networking.istio.io", "v1", "virtualservices", "VirtualService"),
    ResourceType("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute"),
    ResourceType("traefik.io", "v1alpha1", "ingressroutes", "IngressRoute"),
    ResourceType("traefik.containo.us", "v1alpha1", "ingressroutes", "IngressRoute"),
    *_custom_versions("startpunkt.ullberg.us", _STARTPUNKT_VERSIONS, "applications", "Application"),
    *_custom_versions("startpunkt.ullberg.us", _STARTPUNKT_VERSIONS, "bookmarks", "Bookmark"),
    *_custom_versions("hajimari.io", ["v1alpha1"], "applications", "Application"),
    *_custom_versions("hajimari.io", ["v1alpha1"], "bookmarks", "Bookmark"),
)


def version_priority(version: str) -> tuple[int, int, int]:
    """Kubernetes version order: GA > beta > alpha, higher numbers first; others last."""
    match = _VERSION_RE.match(version)
    if not match:
        return (0, 0, 0)
    major, level, minor = match.groups()
    rank = {None: 3, "beta": 2, "alpha": 1}[level]
    return (rank, int(major), int(minor or 0))


def split_api_version(api_version: str) -> tuple[str, str]:
    """`networking.k8s.io/v1` -> (`networking.k8s.io`, `v1`); `v1` -> (``, `v1`)."""
    group, _, version = api_version.rpartition("/")
    return group, version


class Registry:
    """The served types, looked up by plural or kind."""

    def __init__(self, types: tuple[ResourceType, ...] = ()) -> None:
        self._types: dict[tuple[str, str, str], ResourceType] = {}
        for resource in types:
            self.add(resource)

    def __iter__(self) -> Iterator[ResourceType]:
        return iter(list(self._types.values()))

    def add(self, resource: ResourceType) -> None:
        self._types[(resource.group, resource.version, resource.plural)] = resource

    def remove(self, group: str, version: str, plural: str) -> ResourceType:
        return self._types.pop((group, version, plural))

    def find(self, group: str, version: str, kind_or_plural: str) -> ResourceType | None:
        """The type with that plural (exact) or kind (case-insensitive) in group/version."""
        found = self._types.get((group, version, kind_or_plural))
        if found:
            return found
        wanted = kind_or_plural.lower()
        for resource in self._types.values():
            if (resource.group, resource.version) == (group, version) and (
                resource.kind.lower() == wanted
            ):
                return resource
        return None

    def serves(self, storage_key: tuple[str, str]) -> bool:
        return any(resource.storage_key == storage_key for resource in self._types.values())

    def group_versions(self, group: str) -> list[str]:
        """Versions served in a group, preferred first."""
        versions = {r.version for r in self._types.values() if r.group == group}
        return sorted(versions, key=version_priority, reverse=True)

    def groups(self) -> list[str]:
        """Named groups (not core), in registration order."""
        return list(dict.fromkeys(r.group for r in self._types.values() if r.group))

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [r for r in self._types.values() if (r.group, r.version) == (group, version)]
