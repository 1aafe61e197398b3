"""Hostile objects from the API server: each costs only itself, and what is served is bounded.

The same inputs as the manifest files' (tests/sources/test_files_hostile.py), served by the test
API server to the unmodified kubernetes client: a 1 MB annotation, a 5,000-digit location,
`javascript:`/`vbscript:` URLs, CSS that loads something, `\\n\\nevent: RESYNC` in a name, deep
nesting, a name longer than Kubernetes allows, values of the wrong type. Every good object is
served, every hostile one is defaulted field by field or skipped, named once in the log, and
every item's event is one well-formed SSE message.
"""

from __future__ import annotations

import logging

from startpunkt import model, safe
from startpunkt.events import payloads
from testkit.sse import Decoder


def nested(depth: int) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def test_hostile_objects_are_defaulted_or_skipped_and_named_once(kubeapi, start_app, kube, caplog):
    caplog.set_level(logging.WARNING)
    kubeapi.apply(kube.ingress("plex"))
    kubeapi.apply(kube.ingress("big", info="x" * 1_000_000, appName="N" * 100_000))
    kubeapi.apply(kube.ingress("digits", location="7" * 5000))
    kubeapi.apply(
        kube.ingress(
            "evil",
            url="javascript:alert(1)",
            iconColor="url(//evil.example/x.png)",
            appName="Evil\n\nevent: RESYNC\ndata: {}\n\n",
        )
    )
    deep = kube.application("deep", "apps", info="Deep", extra=nested(150))
    kubeapi.apply(deep)
    kubeapi.apply(
        {
            "apiVersion": "startpunkt.ullberg.us/v1alpha4",
            "kind": "Bookmark",
            "metadata": kube.meta("vb", "apps"),
            "spec": {"name": "VB", "group": "G", "url": "vbscript:msgbox(1)"},
        }
    )
    long_name = kube.ingress("n" * 300)
    kubeapi.apply(long_name)
    typed = kube.ingress("typed")
    typed["metadata"]["annotations"]["startpunkt.ullberg.us/info"] = {"not": ["text"]}
    kubeapi.apply(typed)

    app = start_app()
    catalog = kube.catalog(app)
    kube.wait_for(lambda: len(catalog.snapshot().applications) == 6, what="six applications")
    by_id = {i.id: i for i in (*catalog.snapshot().applications, *catalog.snapshot().bookmarks)}
    big = by_id["ingress/default/big"]
    assert len(big.info or "") == 2048 and len(big.name) == 2048
    assert by_id["ingress/default/digits"].location == model.DEFAULT_LOCATION
    evil = by_id["ingress/default/evil"]
    assert evil.url == "http://evil.example.com" and evil.icon_color is None
    assert by_id["application/apps/deep"].info == "Deep"
    assert by_id["bookmark/apps/vb"].url is None
    assert by_id["ingress/default/typed"].info is None
    assert not any("n" * 300 in item_id for item_id in by_id)

    for item in by_id.values():
        assert item.url is None or safe.url(item.url)
        kind = payloads.EventType.APPLICATION_ADDED
        (message,) = Decoder().feed(payloads.frame(kind, model.to_json(item), event_id="e-1"))
        assert message.event == kind.value

    for name in ("big", "digits", "evil", "vb", "typed", "nnnnnnnnnn"):
        lines = [r.getMessage() for r in caplog.records if f"/{name}" in r.getMessage()]
        expected = 2 if name in ("big", "evil") else 1  # two fields each
        assert len(lines) == expected, (name, lines)
    assert all(len(r.getMessage()) < 600 for r in caplog.records)
    assert kube.readiness(app).ready()
