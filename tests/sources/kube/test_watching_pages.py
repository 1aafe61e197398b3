"""Lists are read in pages (limit + continue), so a big cluster never sits in memory at once.

The test API server answers every list in one page (servers may ignore `limit`), so here a
stand-in client plays a server that pages; everything else in this directory uses the real one.
"""

from __future__ import annotations

from typing import Any

from startpunkt.sources.kube import resources, watching
from startpunkt.sources.kube.timing import Timing

INGRESS = next(r for r in resources.RESOURCES if r.plural == "ingresses")


class PagingServer:
    """Answers discovery and a three-page list of ingresses, recording each list query."""

    def __init__(self) -> None:
        self.queries: list[dict[str, Any]] = []

    def get(self, path: str, *, query=(), read_timeout: float, listing: bool = False) -> dict:
        if path == "/apis/networking.k8s.io":
            return {"versions": [{"version": "v1"}], "preferredVersion": {"version": "v1"}}
        assert path == "/apis/networking.k8s.io/v1/ingresses"
        params = dict(query)
        self.queries.append(params)
        page = int(params.get("continue") or 0)
        items = [{"metadata": {"name": f"i{page}-{n}", "namespace": "ns"}} for n in range(2)]
        more = {"continue": str(page + 1)} if page < 2 else {}
        return {"metadata": {"resourceVersion": "42", **more}, "items": items}


class Recorder:
    name = "kube:ingresses.networking.k8s.io"

    def __init__(self) -> None:
        self.objects: list[dict] = []

    def listed(self, objects) -> None:
        self.objects = list(objects)

    def changed(self, event_type, obj) -> None:
        raise AssertionError("no events in this test")

    def report(self, state, *, error=None) -> None:
        pass


def test_every_page_is_read_and_the_watch_resumes_from_the_snapshot_version():
    server, sink = PagingServer(), Recorder()
    list_watch = watching.ListWatch(server, INGRESS, namespace=None, sink=sink, timing=Timing())

    path = list_watch._list()

    assert path == "/apis/networking.k8s.io/v1/ingresses"
    assert [o["metadata"]["name"] for o in sink.objects] == [
        "i0-0", "i0-1", "i1-0", "i1-1", "i2-0", "i2-1",
    ]  # fmt: skip
    assert all(o["apiVersion"] == "networking.k8s.io/v1" for o in sink.objects)
    assert all(o["kind"] == "Ingress" for o in sink.objects)
    assert server.queries == [
        {"limit": watching.PAGE_SIZE},
        {"limit": watching.PAGE_SIZE, "continue": "1"},
        {"limit": watching.PAGE_SIZE, "continue": "2"},
    ]
    assert list_watch.resource_version == "42"
