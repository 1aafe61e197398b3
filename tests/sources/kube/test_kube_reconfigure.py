"""Live settings changes reach the cluster source: kinds switched off are withdrawn, kinds
switched on are listed, and a change in how objects map lists again without noise."""

from __future__ import annotations

import dataclasses

from startpunkt import runtime, signals
from startpunkt.config import IngressSettings, SwitchSettings


def reload(app, **sections) -> None:
    """What the config reloader does: new settings, then `config_changed` to every part."""
    rt = runtime.get(app)
    rt.settings = dataclasses.replace(rt.settings, **sections)
    signals.config_changed.send(app, config=rt.settings)


def test_switching_a_kind_off_and_on_withdraws_and_lists_it(kubeapi, start_app, kube):
    kubeapi.apply(kube.ingress("plex"))
    kubeapi.apply({**kube.application("grafana"), "apiVersion": "hajimari.io/v1alpha1"})
    app = start_app()
    catalog = kube.catalog(app)
    assert kube.names(catalog) == ["Grafana", "plex"]

    reload(app, hajimari=SwitchSettings(enabled=False))
    assert kube.names(catalog) == ["plex"]
    assert "kube:applications.hajimari.io" not in kube.readiness(app).sources()
    kube.wait_for(
        lambda: kubeapi.open_watches("applications.hajimari.io") == 0, what="its watch closed"
    )

    reload(app, hajimari=SwitchSettings(enabled=True))
    kube.wait_for(lambda: kube.names(catalog) == ["Grafana", "plex"], what="listed again")


def test_a_mapping_change_relists_and_signals_only_what_differs(kubeapi, start_app, kube):
    kubeapi.apply(kube.ingress("plex"))
    bare = kube.ingress("internal")
    del bare["metadata"]["annotations"]
    kubeapi.apply(bare)
    app = start_app()
    catalog = kube.catalog(app)
    assert kube.names(catalog) == ["plex"]
    signals = kube.Signals(catalog)
    lists = kubeapi.count("list", "ingresses")

    reload(app, ingress=IngressSettings(enabled=True, only_annotated=False))

    kube.wait_for(lambda: kube.names(catalog) == ["internal", "plex"], what="re-mapped")
    assert signals.seen == [("added", "ingress/default/internal")]
    assert kubeapi.count("list", "ingresses") == lists + 1
