"""`Mapped.skipped`: why an object gives no item although nothing is wrong with it.

`startpunkt check` prints these reasons; the server never logs them (a cluster has many Services
and un-annotated Ingresses, none of which is a mistake).
"""

from __future__ import annotations

from startpunkt import mappers
from startpunkt.config import (
    IngressSettings,
    NamespaceSelector,
    Settings,
    SwitchSettings,
)

from .objects import OPTED_IN, application, ingress, obj, settings


def test_a_kind_startpunkt_does_not_read():
    mapped = mappers.map_object(obj("v1", "Service"), Settings())
    assert (mapped.items, mapped.problems) == ((), ())
    assert mapped.skipped == "not a kind startpunkt reads"


def test_a_kind_switched_off():
    off = settings(ingress=IngressSettings(enabled=False), hajimari=SwitchSettings(enabled=False))
    mapped = mappers.map_object(ingress(annotations=OPTED_IN), off)
    assert mapped.skipped == "its kind is switched off in the configuration"
    hajimari = obj("hajimari.io/v1alpha1", "Bookmark", spec={"name": "a", "url": "https://a"})
    assert mappers.map_object(hajimari, off).skipped == mapped.skipped


def test_another_namespace():
    only_media = settings(namespace_selector=NamespaceSelector(any=False, match_names=("media",)))
    mapped = mappers.map_object(application(), only_media)
    assert mapped.skipped == "namespace 'apps' is not in namespaceSelector.matchNames"


def test_not_opted_in_and_disabled():
    assert mappers.map_object(ingress(), Settings()).skipped == (
        'not opted in (onlyAnnotated is on and no enable annotation says "true")'
    )
    disabled = ingress(annotations={"startpunkt.ullberg.us/enable": "false"})
    assert mappers.map_object(disabled, Settings()).skipped == "disabled (enable/enabled is false)"
    spec = {"name": "Web", "url": "https://web.example.com", "enabled": False}
    assert mappers.map_object(application(spec=spec), Settings()).skipped == (
        "disabled (enable/enabled is false)"
    )


def test_a_shown_or_broken_object_has_no_skip_reason():
    assert mappers.map_object(ingress(annotations=OPTED_IN), Settings()).skipped is None
    nameless = mappers.map_object(application(name=""), Settings())
    assert nameless.problems and nameless.skipped is None


def test_the_reason_explains_and_does_not_change_the_result():
    """Equality ignores it, so every existing comparison with `Mapped()` still holds."""
    assert mappers.map_object(obj("v1", "Service"), Settings()) == mappers.Mapped()


def test_another_instance_and_another_ingress_class():
    limited = ingress(annotations={**OPTED_IN, "startpunkt.ullberg.us/instance": "lab"})
    mapped = mappers.map_object(limited, settings(instance_name="home"))
    assert mapped.skipped == "its instance annotation names other start-page instances"
    only_nginx = settings(
        ingress=IngressSettings(only_annotated=False, ingress_class_names=("nginx",))
    )
    traefik = ingress(spec={"ingressClassName": "traefik", "rules": [{"host": "a.example.com"}]})
    assert mappers.map_object(traefik, only_nginx).skipped == (
        "its ingress class 'traefik' is not in ingress.ingressClassNames"
    )
