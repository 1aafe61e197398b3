"""API discovery: which version of a group to watch, and the plural of a kind.

Informers ask `/apis/{group}` before each list, so a CRD upgraded or installed later is read in
the best version the cluster serves. urlFrom names a kind (`Service`, `Ingress`) and needs its
plural for the URL; English plurals are not "kind + s" (`Gateway` → `gateways`, but `Proxy` →
`proxies`), so they come from the group/version's resource list, cached for a while.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from startpunkt.sources.kube import api, errors, resources


def served_version(client: api.Api, resource: resources.Resource, *, read_timeout: float) -> str:
    """The first of `resource.versions` the cluster serves, else the group's preferred version.

    Raises `NotInstalled` when the group is not served at all.
    """
    document = client.get(f"/apis/{resource.group}", read_timeout=read_timeout, listing=True)
    served = [
        v.get("version")
        for v in document.get("versions") or ()
        if isinstance(v, dict) and isinstance(v.get("version"), str)
    ]
    for version in resource.versions:
        if version in served:
            return version
    preferred = document.get("preferredVersion")
    if isinstance(preferred, dict) and isinstance(preferred.get("version"), str):
        return preferred["version"]
    if served:
        return served[0]
    raise errors.NotInstalled(f"{resource.group} serves no version")


@dataclass(frozen=True)
class ApiResource:
    """What discovery says about one kind in one group/version (an `APIResource`)."""

    plural: str
    namespaced: bool


class Plurals:
    """Kind → plural per group/version, read from discovery and kept for `ttl` seconds."""

    def __init__(self, client: api.Api, *, ttl: float, retry: float, read_timeout: float) -> None:
        self._client = client
        self._ttl = ttl
        self._retry = retry
        self._read_timeout = read_timeout
        self._known: dict[tuple[str, str], tuple[float, dict[str, ApiResource]]] = {}

    def lookup(self, group: str, version: str, kind: str) -> ApiResource | None:
        """The resource serving `kind` in group/version; None when the cluster has none.

        A kind not found is looked up again once `retry` seconds have passed (a CRD installed
        since); errors other than "not installed" propagate (translated).
        """
        key = (group, version)
        now = time.monotonic()
        cached = self._known.get(key)
        if cached is not None:
            fetched, by_kind = cached
            fresh = now - fetched < (self._ttl if kind in by_kind else self._retry)
            if fresh:
                return by_kind.get(kind)
        try:
            document = self._client.get(
                api.resources_path(group, version), read_timeout=self._read_timeout, listing=True
            )
        except errors.NotInstalled:
            document = {}
        by_kind = _api_resources(document)
        self._known[key] = (now, by_kind)
        return by_kind.get(kind)


def _api_resources(document: dict) -> dict[str, ApiResource]:
    """Kind → resource, from an `APIResourceList` (subresources such as `x/status` skipped)."""
    found: dict[str, ApiResource] = {}
    for entry in document.get("resources") or ():
        if not isinstance(entry, dict):
            continue
        name, kind = entry.get("name"), entry.get("kind")
        if isinstance(name, str) and isinstance(kind, str) and "/" not in name:
            found.setdefault(kind, ApiResource(name, bool(entry.get("namespaced", True))))
    return found
