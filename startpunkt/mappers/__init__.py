"""Mappers: pure functions from a cluster object (a plain dict) to items.

No flask, gevent or kubernetes here: plain dicts in, frozen dataclasses out. A field that cannot
be used is defaulted and reported as a `Problem`; an object that cannot be used at all maps to no
item and a `Problem`. The caller (a source) logs problems and counts them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from startpunkt import model
from startpunkt.config import Settings
from startpunkt.mappers import (
    annotated,
    hajimari,
    httproute,
    ingress,
    results,
    route,
    shapes,
    startpunkt_crd,
    traefik,
    virtualservice,
)
from startpunkt.mappers.results import Mapped, Problem

__all__ = ["Mapped", "Problem", "map_object"]


@dataclass(frozen=True)
class KindMapping:
    """How one kind of object is mapped, and which settings switch it.

    `source` names the items it gives (their `source` in the API: `HajimariApplication` for
    hajimari.io's Application), since two groups may use the same kind name; two groups of one
    kind (Traefik's old and new) may also share a source.
    """

    source: str
    build: Callable[..., model.Item | None]
    """None: the object gives no item (the build reported why)."""
    enabled: Callable[[Settings], bool]
    only_annotated: Callable[[Settings], bool]
    admits: Callable[[dict[str, Any], Settings], str | None] | None = None
    """Why settings keep an object of this kind out (the Ingress class filter); None: they don't."""


def _always(settings: Settings) -> bool:
    return True


def _never(settings: Settings) -> bool:
    return False


def _annotated(
    derived_url: annotated.DerivedUrl, *, scheme_from_annotation: bool = False
) -> Callable[..., model.Application]:
    """The build of an annotated kind: the shared mapping, given the kind's own derived URL."""
    return functools.partial(
        annotated.application,
        derived_url=derived_url,
        scheme_from_annotation=scheme_from_annotation,
    )


MAPPINGS: dict[tuple[str, str], KindMapping] = {
    ("startpunkt.ullberg.us", "Application"): KindMapping(
        "Application", startpunkt_crd.application, _always, _never
    ),
    ("startpunkt.ullberg.us", "Bookmark"): KindMapping(
        "Bookmark", startpunkt_crd.bookmark, _always, _never
    ),
    ("hajimari.io", "Application"): KindMapping(
        "HajimariApplication",
        functools.partial(startpunkt_crd.application, keys=hajimari.APPLICATION_KEYS),
        lambda s: s.hajimari.enabled,
        _never,
    ),
    ("hajimari.io", "Bookmark"): KindMapping(
        "HajimariBookmark",
        functools.partial(startpunkt_crd.bookmark, keys=hajimari.BOOKMARK_KEYS),
        lambda s: s.hajimari.enabled,
        _never,
    ),
    ("networking.k8s.io", "Ingress"): KindMapping(
        "Ingress",
        _annotated(ingress.derived_url),
        lambda s: s.ingress.enabled,
        lambda s: s.ingress.only_annotated,
        ingress.admits,
    ),
    ("route.openshift.io", "Route"): KindMapping(
        "Route",
        _annotated(route.derived_url),
        lambda s: s.openshift.enabled,
        lambda s: s.openshift.only_annotated,
    ),
    ("networking.istio.io", "VirtualService"): KindMapping(
        "VirtualService",
        _annotated(virtualservice.derived_url, scheme_from_annotation=True),
        lambda s: s.istio.virtualservice.enabled,
        lambda s: s.istio.virtualservice.only_annotated,
    ),
    ("gateway.networking.k8s.io", "HTTPRoute"): KindMapping(
        "HTTPRoute",
        _annotated(httproute.derived_url, scheme_from_annotation=True),
        lambda s: s.gatewayapi.httproute.enabled,
        lambda s: s.gatewayapi.httproute.only_annotated,
    ),
    **{
        (group, "IngressRoute"): KindMapping(
            "IngressRoute",
            traefik.application,
            lambda s: s.traefik.ingressroute.enabled,
            lambda s: s.traefik.ingressroute.only_annotated,
        )
        for group in ("traefik.io", "traefik.containo.us")
    },
}
"""(API group, kind) → mapping. Every version of a group maps alike: they share the fields."""


def mapping_of(obj: Any) -> KindMapping | None:
    """The mapping for this object's apiVersion group and kind; None if unsupported."""
    if not isinstance(obj, dict):
        return None
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    return MAPPINGS.get((api_version.rpartition("/")[0], kind))


def map_object(obj: dict[str, Any], settings: Settings) -> Mapped:
    """Map any supported object (dispatching on apiVersion group and kind).

    Unsupported kinds map to nothing, silently. Kind switches (`ingress.enabled` …), the
    namespace selector, `instanceName`, `onlyAnnotated` and the Ingress class filter are applied
    here so every source behaves alike, and items carry the local cluster's name. An object
    opted in by annotation but kept out by its class is reported, since its author expects to
    see it.
    """
    mapping = mapping_of(obj)
    if mapping is None:
        return Mapped(skipped="not a kind startpunkt reads")
    if not mapping.enabled(settings):
        return Mapped(skipped="its kind is switched off in the configuration")
    namespace, name = shapes.identity(obj)
    missing = shapes.missing_identity(obj)
    if missing:
        reason = f"no {missing}: object skipped"
        return Mapped(problems=(Problem(mapping.source, namespace, name, reason),))
    overlong = shapes.overlong_identity(obj)
    if overlong:
        namespace, name = shapes.shortened(namespace), shapes.shortened(name)
        reason = f"{overlong}: object skipped"
        return Mapped(problems=(Problem(mapping.source, namespace, name, reason),))
    if not selected(namespace, settings):
        return Mapped(skipped=f"namespace {namespace!r} is not in namespaceSelector.matchNames")
    if not annotated.for_instance(shapes.annotations(obj), settings.instance_name):
        return Mapped(skipped="its instance annotation names other start-page instances")
    report = results.Report(
        results.Subject(mapping.source, namespace, name),
        max_length=settings.limits.max_field_length,
    )
    item = mapping.build(obj, report.subject, settings=settings, report=report)
    if item is None:
        return Mapped(problems=report.problems)
    if not visible(item, only_annotated=mapping.only_annotated(settings)):
        return Mapped(problems=report.problems, skipped=hidden_because(item))
    kept_out = mapping.admits(obj, settings) if mapping.admits else None
    if kept_out is not None:
        if isinstance(item, model.Application) and item.enabled is True:
            report.skipped(f"opted in, but {kept_out}: object skipped")
            return Mapped(problems=report.problems)
        return Mapped(problems=report.problems, skipped=kept_out)
    cluster = settings.clusters.local.name
    if item.cluster != cluster:
        item = dataclasses.replace(item, cluster=cluster)
    return Mapped(items=(item,), problems=report.problems)


def selected(namespace: str, settings: Settings) -> bool:
    """The namespace selector: every namespace, or only the listed ones."""
    selector = settings.namespace_selector
    return selector.any or namespace in selector.match_names


def hidden_because(item: model.Item) -> str:
    """Why `visible` said no: disabled explicitly, or never opted in."""
    if isinstance(item, model.Application) and item.enabled is False:
        return "disabled (enable/enabled is false)"
    return 'not opted in (onlyAnnotated is on and no enable annotation says "true")'


def visible(item: model.Item, *, only_annotated: bool) -> bool:
    """An explicit "enable: false" always hides; `onlyAnnotated` also needs "true"."""
    if not isinstance(item, model.Application):
        return True
    if item.enabled is False:
        return False
    return item.enabled is True or not only_annotated
