"""410 Gone while resuming a watch: the informer lists again and reconciles without noise.

The informer is made to fall behind: its watch hangs (the server sends headers, then nothing)
while objects change, the history is compacted, and the hung watch is cut. Resuming from its
last version then answers 410, so it must list again; afterwards the catalog equals the
server's state, and only the objects that really changed sent a signal.
"""

from __future__ import annotations

import dataclasses

from startpunkt import metrics

INGRESSES = "kube:ingresses.networking.k8s.io"


def restarts(reason: str) -> float:
    return metrics.watch_restarts.labels(source=INGRESSES, reason=reason)._value.get()


def test_a_410_relists_and_only_real_changes_signal(kubeapi, start_app, kube):
    for name in ("a", "b", "c"):
        kubeapi.apply(kube.ingress(name))
    # A long watch timeout: only the test decides when the hung watch ends.
    app = start_app(timing=dataclasses.replace(kube.FAST, watch_timeout=30))
    catalog = kube.catalog(app)
    assert kube.names(catalog) == ["a", "b", "c"]
    signals = kube.Signals(catalog)
    gone_before = restarts("gone")

    kubeapi.hang("ingresses")
    kubeapi.drop_watches("ingresses")
    kube.wait_for(lambda: kubeapi.count("watch", "ingresses") >= 2, what="a hung re-watch")
    kubeapi.apply(kube.ingress("b", host="b.example.org"))
    kubeapi.delete("networking.k8s.io/v1", "ingresses", "default", "c")
    kubeapi.apply(kube.ingress("d"))
    kubeapi.compact()
    assert signals.seen == []  # the hung watch delivered nothing
    kubeapi.unhang("ingresses")
    kubeapi.drop_watches("ingresses")

    kube.wait_for(lambda: kube.names(catalog) == ["a", "b", "d"], what="caught up")
    assert kube.app_url(catalog, "b") == "http://b.example.org"
    assert restarts("gone") == gone_before + 1
    assert kubeapi.count("list", "ingresses") == 2
    assert signals.of("added") == ["ingress/default/d"]
    assert signals.of("updated") == ["ingress/default/b"]
    assert signals.of("removed") == ["ingress/default/c"]
    assert kube.readiness(app).sources()[INGRESSES].state == "synced"
    kube.wait_for(lambda: kubeapi.open_watches("ingresses") == 1, what="watching again")


def test_bookmarks_advance_the_version_so_a_quiet_kind_resumes_without_a_list(
    kubeapi, start_app, kube
):
    kubeapi.apply(kube.ingress("a"))
    app = start_app()
    list_watch = kube.cluster(app).informers[INGRESSES].list_watch
    for n in range(3):  # other kinds move the global resourceVersion on
        kubeapi.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{n}"}})
    latest = str(kubeapi.resource_version)
    kube.wait_for(lambda: list_watch.resource_version == latest, what="a BOOKMARK's version taken")

    kubeapi.compact()
    kubeapi.drop_watches("ingresses")
    kube.wait_for(lambda: kubeapi.count("watch", "ingresses") >= 2, what="watching again")
    kubeapi.apply(kube.ingress("b"))

    kube.wait_for(lambda: kube.names(kube.catalog(app)) == ["a", "b"], what="the new Ingress")
    assert kubeapi.count("list", "ingresses") == 1
