"""API discovery documents built from the registry: what `kubectl api-resources` would read.

Clients find plurals and versions here (startpunkt's urlFrom does), so the documents follow
the shapes of the real `/api`, `/apis`, `/apis/{group}`, `/apis/{group}/{version}` and `/version`.
"""

from __future__ import annotations

from typing import Any

from testkit.kubeapi import registry

VERBS = ["create", "delete", "get", "list", "update", "watch"]

VERSION_INFO = {
    "major": "1",
    "minor": "34",
    "gitVersion": "v1.34.0-testkit",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2025-10-31T00:00:00Z",
    "goVersion": "go1.24.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}


def core_versions(address: str) -> dict[str, Any]:
    """`/api`: the core group's versions."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}],
    }


def _group(types: registry.Registry, group: str) -> dict[str, Any]:
    versions = [
        {"groupVersion": f"{group}/{version}", "version": version}
        for version in types.group_versions(group)
    ]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def group_list(types: registry.Registry) -> dict[str, Any]:
    """`/apis`: every named group with its versions, preferred first."""
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [_group(types, group) for group in types.groups()],
    }


def group(types: registry.Registry, name: str) -> dict[str, Any] | None:
    """`/apis/{group}`, or None when nothing of that group is served."""
    if name not in types.groups():
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(types, name)}


def resource_list(types: registry.Registry, group: str, version: str) -> dict[str, Any] | None:
    """`/api/v1` or `/apis/{group}/{version}`, or None when that version is not served."""
    served = types.in_group_version(group, version)
    if not served:
        return None
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": [
            {
                "name": r.plural,
                "singularName": r.kind.lower(),
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": VERBS,
            }
            for r in served
        ],
    }
