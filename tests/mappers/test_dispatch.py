"""`map_object`: dispatch on apiVersion group and kind, switches, namespaces, fault isolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from startpunkt import mappers
from startpunkt.config import (
    GatewayApiSettings,
    IngressSettings,
    IstioSettings,
    KindSettings,
    NamespaceSelector,
    Settings,
    SwitchSettings,
)
from startpunkt.mappers import Mapped, Problem

from . import objects
from .objects import OPTED_IN, application, ingress, only, settings

KIND_SOURCES = [
    (lambda: ingress(annotations=OPTED_IN), "Ingress"),
    (lambda: objects.route(annotations=OPTED_IN), "Route"),
    (lambda: objects.virtualservice(annotations=OPTED_IN), "VirtualService"),
    (lambda: objects.httproute(annotations=OPTED_IN), "HTTPRoute"),
    (application, "Application"),
    (objects.bookmark, "Bookmark"),
    (objects.hajimari_application, "HajimariApplication"),
    (objects.hajimari_bookmark, "HajimariBookmark"),
]


@pytest.mark.parametrize(("build", "source"), KIND_SOURCES)
def test_each_kind_maps_to_its_source(build: Callable[[], dict[str, Any]], source: str) -> None:
    item = only(mappers.map_object(build(), Settings()))
    assert item.source == source
    assert item.id == f"{source.lower()}/apps/web"


@pytest.mark.parametrize(
    "api_version",
    ["networking.istio.io/v1alpha3", "networking.istio.io/v1beta1", "networking.istio.io/v1"],
)
def test_every_version_of_a_group_maps(api_version: str) -> None:
    o = {**objects.virtualservice(annotations=OPTED_IN), "apiVersion": api_version}
    assert only(mappers.map_object(o, Settings())).source == "VirtualService"


@pytest.mark.parametrize(
    "o",
    [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "y"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x", "namespace": "y"}},
        {**ingress(annotations=OPTED_IN), "apiVersion": "example.com/v1"},
        {**ingress(annotations=OPTED_IN), "apiVersion": "v1"},
        {**ingress(annotations=OPTED_IN), "kind": "Ingresses"},
        {**application(), "kind": "application"},
        {"kind": "Ingress", "metadata": {"name": "x", "namespace": "y"}},
        {"apiVersion": "networking.k8s.io/v1", "metadata": {"name": "x", "namespace": "y"}},
        {"apiVersion": 1, "kind": "Ingress"},
        {"apiVersion": "networking.k8s.io/v1", "kind": ["Ingress"]},
        {},
        [],
        "Ingress",
        None,
    ],
)
def test_unknown_kinds_map_to_nothing_silently(o: Any) -> None:
    assert mappers.map_object(o, Settings()) == Mapped()


OFF = [
    (lambda: ingress(annotations=OPTED_IN), settings(ingress=IngressSettings(enabled=False))),
    (lambda: objects.route(annotations=OPTED_IN), settings(openshift=KindSettings(enabled=False))),
    (
        lambda: objects.virtualservice(annotations=OPTED_IN),
        settings(istio=IstioSettings(virtualservice=KindSettings(enabled=False))),
    ),
    (
        lambda: objects.httproute(annotations=OPTED_IN),
        settings(gatewayapi=GatewayApiSettings(httproute=KindSettings(enabled=False))),
    ),
    (objects.hajimari_application, settings(hajimari=SwitchSettings(enabled=False))),
    (objects.hajimari_bookmark, settings(hajimari=SwitchSettings(enabled=False))),
]


@pytest.mark.parametrize(("build", "off"), OFF)
def test_kind_switches(build: Callable[[], dict[str, Any]], off: Settings) -> None:
    assert mappers.map_object(build(), Settings()).items
    assert mappers.map_object(build(), off) == Mapped()


def test_startpunkt_resources_are_always_on() -> None:
    everything_off = settings(
        ingress=IngressSettings(enabled=False),
        openshift=KindSettings(enabled=False),
        hajimari=SwitchSettings(enabled=False),
    )
    assert mappers.map_object(application(), everything_off).items
    assert mappers.map_object(objects.bookmark(), everything_off).items


@pytest.mark.parametrize(
    ("kind_settings", "attr"),
    [
        ({"openshift": KindSettings(only_annotated=False)}, "route"),
        ({"istio": IstioSettings(KindSettings(only_annotated=False))}, "virtualservice"),
        ({"gatewayapi": GatewayApiSettings(KindSettings(only_annotated=False))}, "httproute"),
    ],
)
def test_only_annotated_is_per_kind(kind_settings: dict[str, Any], attr: str) -> None:
    build = getattr(objects, attr)
    s = settings(**kind_settings)
    assert mappers.map_object(build(annotations={}), s).items
    assert not mappers.map_object(ingress(annotations={}), s).items


@pytest.mark.parametrize(
    ("selector", "namespace", "shown"),
    [
        (NamespaceSelector(), "anything", True),
        (NamespaceSelector(any=True, match_names=("other",)), "anything", True),
        (NamespaceSelector(any=False, match_names=("default", "media")), "media", True),
        (NamespaceSelector(any=False, match_names=("default", "media")), "kube-system", False),
        (NamespaceSelector(any=False, match_names=()), "default", False),
    ],
)
def test_namespace_selector(selector: NamespaceSelector, namespace: str, shown: bool) -> None:
    s = settings(namespace_selector=selector)
    for o in (ingress(namespace=namespace, annotations=OPTED_IN), application(namespace=namespace)):
        mapped = mappers.map_object(o, s)
        assert bool(mapped.items) == shown
        assert mapped.problems == ()


@pytest.mark.parametrize(
    ("metadata", "namespace", "name", "says"),
    [
        (None, "", "", "no metadata"),
        ("junk", "", "", "no metadata"),
        ({"namespace": "apps"}, "apps", "", "no metadata.name"),
        ({"name": "", "namespace": "apps"}, "apps", "", "no metadata.name"),
        ({"name": 7, "namespace": "apps"}, "apps", "", "no metadata.name"),
        ({"name": "web"}, "", "web", "no metadata.namespace"),
    ],
)
def test_object_without_identity_is_skipped_with_a_problem(
    metadata: Any, namespace: str, name: str, says: str
) -> None:
    o = application()
    if metadata is None:
        del o["metadata"]
    else:
        o["metadata"] = metadata
    mapped = mappers.map_object(o, Settings())
    assert mapped.items == ()
    assert mapped.problems == (
        Problem("Application", namespace, name, f"{says}: object skipped", None),
    )


def test_a_bad_object_does_not_affect_the_others() -> None:
    """Reference quirk: one malformed object (say `location: abc`) emptied the whole list."""
    good = [
        application(name="a", spec={"name": "A", "url": "https://a.example.com", "location": 2}),
        ingress(name="b", annotations={**OPTED_IN, "hajimari.io/location": "7"}),
        objects.bookmark(name="c"),
    ]
    bad = [
        application(
            name="bad1",
            spec={
                "name": "Bad",
                "location": "abc",
                "targetBlank": "maybe",
                "url": "javascript:alert(1)",
            },
        ),
        {"apiVersion": "startpunkt.ullberg.us/v1alpha4", "kind": "Application", "spec": {}},
        ingress(
            name="bad3",
            annotations={**OPTED_IN, "startpunkt.ullberg.us/location": "x"},
            spec={"rules": "garbage", "tls": 5},
        ),
        application(name="bad4", spec=["not", "a", "mapping"]),
    ]
    alone = [mappers.map_object(o, Settings()) for o in good]
    mixed = [
        mappers.map_object(o, Settings())
        for o in [bad[0], good[0], bad[1], good[1], bad[2], good[2], bad[3]]
    ]
    assert [mixed[1], mixed[3], mixed[5]] == alone
    assert all(m.problems == () and len(m.items) == 1 for m in alone)
    assert all(mixed[i].problems for i in (0, 2, 4, 6))
    # defaulted field by field, not dropped: only the object without metadata gives no item
    assert [len(mixed[i].items) for i in (0, 2, 4, 6)] == [1, 0, 1, 1]


def test_items_are_plain_frozen_values() -> None:
    item = only(mappers.map_object(ingress(annotations=OPTED_IN), Settings()))
    with pytest.raises(AttributeError):
        item.name = "changed"  # type: ignore[misc]
