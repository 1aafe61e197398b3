"""A watch connection that goes silent (no events, no bookmarks, no end) is given up after the
read timeout and replaced, and what happened meanwhile arrives."""

from __future__ import annotations

from startpunkt import metrics

INGRESSES = "kube:ingresses.networking.k8s.io"


def test_a_silent_watch_is_replaced_after_the_read_timeout(kubeapi, start_app, kube):
    timing = kube.FAST  # watch timeout 3 s, read timeout 5 s
    app = start_app()
    interrupted = metrics.watch_restarts.labels(source=INGRESSES, reason="interrupted")
    silent = metrics.watch_restarts.labels(source=INGRESSES, reason="silent")
    before, silent_before = interrupted._value.get(), silent._value.get()
    kubeapi.hang("ingresses")
    kubeapi.drop_watches("ingresses")
    kube.wait_for(lambda: kubeapi.count("watch", "ingresses") >= 2, what="a hung watch")
    watches = kubeapi.count("watch", "ingresses")
    kubeapi.apply(kube.ingress("plex"))
    kubeapi.unhang("ingresses")

    # The hung watch ignores its timeoutSeconds; only the client's read timeout ends it.
    assert kube.stays(lambda: kube.names(kube.catalog(app)) == [], seconds=3.0)
    took = kube.wait_for(
        lambda: kube.names(kube.catalog(app)) == ["plex"],
        timeout=timing.watch_read_timeout + 3.0,
        what="the hung watch replaced",
    )
    assert 3.0 + took >= timing.watch_read_timeout - 1.0
    assert kubeapi.count("watch", "ingresses") == watches + 1
    assert interrupted._value.get() >= before + 1  # the drop
    assert silent._value.get() >= silent_before + 1  # then the read timeout
    assert kube.readiness(app).sources()[INGRESSES].state == "synced"
