"""A fake Kubernetes API server that the unmodified kubernetes client cannot tell from a real one.

It speaks HTTP/1.1 (optionally TLS with a bearer token) for what startpunkt uses: discovery,
list, get and watch (with resume, 410 after compaction, bookmarks and timeouts) of core and
custom resources. Tests drive it in-process (`KubeApiServer`); gunicorn tests and benchmarks run
it as `python -m testkit.kubeapi`. Layers: registry/store (data), protocol/handlers/
watching (HTTP), server (lifecycle and the Python API).
"""

from __future__ import annotations

from testkit.kubeapi.registry import DEFAULT_TYPES, ResourceType
from testkit.kubeapi.server import KubeApiServer

__all__ = ["DEFAULT_TYPES", "KubeApiServer", "ResourceType"]
