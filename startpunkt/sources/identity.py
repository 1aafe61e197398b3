"""How sources name an object they read: its API group, kind, namespace and name.

One name for one object, in every source: the informers key what each object gave by it, the
file source indexes its objects by it, and a urlFrom target is one. The version is not part of
it: Kubernetes keeps one object and serves it in every version of its group, and the mappers
read every version alike.
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple


class ObjectId(NamedTuple):
    """Which object: API group ("" for the core group), kind, namespace, name."""

    group: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, obj: dict[str, Any]) -> ObjectId:
        """The id of an object as read (a missing or wrong field counts as "")."""
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        metadata = obj.get("metadata")
        if not isinstance(metadata, dict):
            metadata = {}
        namespace, name = metadata.get("namespace"), metadata.get("name")
        # Interned: thousands of objects of one kind then share two strings.
        return cls(
            sys.intern(api_version.rpartition("/")[0]) if isinstance(api_version, str) else "",
            sys.intern(kind) if isinstance(kind, str) else "",
            namespace if isinstance(namespace, str) else "",
            name if isinstance(name, str) else "",
        )

    def __str__(self) -> str:
        """`Ingress media/plex`, as log lines name an object."""
        return f"{self.kind} {self.namespace}/{self.name}"
