"""Bug: a root path short enough to pass the field cap made the joined URL longer than
`limits.maxFieldLength` (found by tests/mappers/test_property_hostile.py: a derived
`http://web.example.com` plus a 78-character `rootPath`, with the cap at 100).
Fix: a root path whose join would pass the cap is reported and not used; a urlFrom value over
the cap is refused like any unusable value (the Application keeps its own url).
"""

from __future__ import annotations

import dataclasses

from startpunkt import config, mappers, model
from startpunkt.mappers import url_from


def settings(limit: int) -> config.Settings:
    base = config.Settings()
    return dataclasses.replace(
        base, limits=dataclasses.replace(base.limits, max_field_length=limit)
    )


def test_a_root_path_that_would_make_the_url_too_long_is_not_appended() -> None:
    obj = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": "web",
            "namespace": "apps",
            "annotations": {
                "startpunkt.ullberg.us/enable": "true",
                "startpunkt.ullberg.us/rootPath": "7" * 78,
            },
        },
        "spec": {"rules": [{"host": "web.example.com"}]},
    }
    result = mappers.map_object(obj, settings(100))
    (item,) = result.items
    assert item.url == "http://web.example.com"
    assert any("over 100 characters" in p.reason for p in result.problems)


def test_a_url_from_value_over_the_cap_keeps_the_applications_own_url() -> None:
    app = model.Application(
        id="application/apps/web",
        name="web",
        group="apps",
        namespace="apps",
        resource_name="web",
        source="Application",
        url="https://fallback.example.com",
        url_from=model.UrlFrom(api_version="v1", kind="Ingress", name="t", property="spec.u"),
    )
    target = {"spec": {"u": "https://x.example.com/" + "a" * 5000}}
    result = url_from.apply(app, target)
    (item,) = result.items
    assert item.url == "https://fallback.example.com"
    assert any("characters" in p.reason for p in result.problems)
