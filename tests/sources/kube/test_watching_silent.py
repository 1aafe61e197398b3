"""Finding 7 of issue 12: a hung watch went unnoticed for 5.5 minutes.

Bug: a watch that got its headers and then silence was given up only after its read timeout,
`timeoutSeconds` (300 s) plus 30 s; no line was logged, readiness stayed synced, and a new
Ingress appeared after about 330 s.
Fix: the API server sends a watch that asks for them a BOOKMARK about every minute, so a watch
silent past `Timing.bookmark_silence` (90 s) is restarted from its last version, with one
WARNING. Shown with the seconds shrunk: bookmarks every 0.2 s, silence noticed after 1 s.
"""

from __future__ import annotations

import dataclasses
import logging

from startpunkt import metrics

INGRESSES = "kube:ingresses.networking.k8s.io"


def test_a_watch_silent_past_the_bookmark_interval_is_restarted_with_a_log_line(
    kubeapi, start_app, kube, caplog
):
    caplog.set_level(logging.WARNING, "startpunkt.sources.kube.watching")
    timing = dataclasses.replace(
        kube.FAST, watch_timeout=120, watch_read_slack=30.0, bookmark_silence=1.0
    )
    app = start_app(timing=timing)
    silent = metrics.watch_restarts.labels(source=INGRESSES, reason="silent")
    before = silent._value.get()
    # Bookmarks every 0.2 s keep a quiet watch alive: nothing is restarted for silence.
    assert kube.stays(lambda: silent._value.get() == before, seconds=2.0)

    kubeapi.hang("ingresses")
    kubeapi.drop_watches("ingresses")
    kube.wait_for(lambda: kubeapi.count("watch", "ingresses") >= 2, what="a hung watch")
    watches = kubeapi.count("watch", "ingresses")
    kubeapi.apply(kube.ingress("plex"))
    kubeapi.unhang("ingresses")

    took = kube.wait_for(
        lambda: kube.names(kube.catalog(app)) == ["plex"], timeout=8.0, what="the watch restarted"
    )
    assert took < 5.0  # not timeoutSeconds (120 s) plus the slack
    assert kubeapi.count("watch", "ingresses") == watches + 1
    assert silent._value.get() == before + 1
    lines = [r.getMessage() for r in caplog.records if "no event or bookmark" in r.getMessage()]
    assert len(lines) == 1 and lines[0].startswith(INGRESSES)
    assert kube.readiness(app).sources()[INGRESSES].state == "synced"
