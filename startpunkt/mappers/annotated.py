"""The annotations that put Ingresses, Routes, VirtualServices, HTTPRoutes, IngressRoutes on show.

Manifests written for Startpunkt, Hajimari, Forecastle or Homepage work unchanged: for each field
the first key present wins, in the order startpunkt.ullberg.us, hajimari.io,
forecastle.stakater.com, gethomepage.dev. Values keep their case. The kind modules add only how a
URL is derived from their spec. Homepage's `app`, `pod-selector` and `widget.*` are not read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from startpunkt import model
from startpunkt.config import Settings
from startpunkt.mappers import fields, results, shapes, urls

STARTPUNKT = "startpunkt.ullberg.us/"
HAJIMARI = "hajimari.io/"
FORECASTLE = "forecastle.stakater.com/"
HOMEPAGE = "gethomepage.dev/"
FAMILIES = (STARTPUNKT, HAJIMARI, FORECASTLE, HOMEPAGE)
"""Every annotation family, in precedence order."""


def _everywhere(suffix: str, homepage: str | None = None) -> tuple[str, ...]:
    """The key in each family; Homepage names some fields differently, and lacks some."""
    keys = (STARTPUNKT + suffix, HAJIMARI + suffix, FORECASTLE + suffix)
    return (*keys, HOMEPAGE + homepage) if homepage else keys


KEYS: dict[str, tuple[str, ...]] = {
    # `enabled` was the key of older Startpunkt releases (and is still in its own tests).
    "enable": (
        STARTPUNKT + "enable",
        STARTPUNKT + "enabled",
        HAJIMARI + "enable",
        HAJIMARI + "enabled",
        FORECASTLE + "expose",
        HOMEPAGE + "enabled",
    ),
    "name": (
        STARTPUNKT + "appName",
        STARTPUNKT + "name",
        HAJIMARI + "appName",
        FORECASTLE + "appName",
        HOMEPAGE + "name",
    ),
    "group": _everywhere("group", "group"),
    "url": _everywhere("url", "href"),
    "icon": _everywhere("icon", "icon"),
    "iconColor": _everywhere("iconColor"),
    "info": _everywhere("info", "description"),
    "targetBlank": _everywhere("targetBlank"),
    "location": _everywhere("location", "weight"),
    "protocol": (STARTPUNKT + "protocol",),
    "tags": (STARTPUNKT + "tags",),
    "rootPath": (STARTPUNKT + "rootPath",),
    "port": (STARTPUNKT + "port",),
}
"""Field → annotation keys, in precedence order."""

INSTANCE_KEYS = tuple(family + "instance" for family in FAMILIES)
"""Comma lists of the start-page instances an object is for (Homepage also `instance.NAME`)."""
_HOMEPAGE_ICON_SETS = {"mdi-": "mdi:", "si-": "simple-icons:"}
"""Homepage's `mdi-home` and `si-github` are `mdi:home` and `simple-icons:github` here; its other
names (`sonarr.png`, `sh-sonarr`) pass as they are."""

DerivedUrl = Callable[..., str | None]
"""A kind's `derived_url(spec)`, or `derived_url(spec, scheme=...)` when its spec has no scheme."""


@dataclass(frozen=True)
class Values:
    """The fields the annotations give; None where they give nothing usable."""

    enabled: bool | None = None
    name: str | None = None
    group: str | None = None
    url: str | None = None
    icon: str | None = None
    icon_color: str | None = None
    info: str | None = None
    target_blank: bool | None = None
    location: int = model.DEFAULT_LOCATION
    tags: str | None = None
    root_path: str | None = None
    port: int | None = None


def lookup(annotations: dict[str, Any], field: str) -> tuple[str, Any]:
    """(key, value) of the first key present for `field`; the first key and None if none is."""
    keys = KEYS[field]
    for key in keys:
        if key in annotations:
            return key, annotations[key]
    return keys[0], None


def for_instance(annotations: dict[str, Any], instance_name: str | None) -> bool:
    """Whether an object is for this start page: it names no instance, or names this one.

    `gethomepage.dev/instance.NAME…` keys count as naming NAME. An instance without a name
    (no `instanceName`) shows only objects that name no instance, as Homepage does.
    """
    named: set[str] = set()
    limited = False
    for key, value in annotations.items():
        if key in INSTANCE_KEYS:
            limited = True
            if isinstance(value, str):
                named.update(part.strip() for part in value.split(",") if part.strip())
        elif key.startswith(HOMEPAGE + "instance."):
            limited = True
            named.add(key[len(HOMEPAGE + "instance.") :].split(".")[0])
    return not limited or (instance_name is not None and instance_name in named)


def homepage_icon(value: str | None) -> str | None:
    """A Homepage icon name in this project's spelling (`mdi-home` → `mdi:home`)."""
    for prefix, icon_set in _HOMEPAGE_ICON_SETS.items():
        if value and value.startswith(prefix) and len(value) > len(prefix):
            return icon_set + value[len(prefix) :]
    return value


def read(annotations: dict[str, Any], *, report: results.Report) -> Values:
    """Every field of the table except `protocol` (only some kinds use it)."""

    def get(field: str, coerce: Any) -> Any:
        key, value = lookup(annotations, field)
        if field == "icon" and key.startswith(HOMEPAGE) and isinstance(value, str):
            value = homepage_icon(value.strip())
        return coerce(value, field=key, report=report)

    return Values(
        enabled=get("enable", fields.boolean),
        name=get("name", fields.text),
        group=get("group", fields.text),
        url=get("url", urls.link),
        icon=get("icon", fields.icon),
        icon_color=get("iconColor", fields.color),
        info=get("info", fields.text),
        target_blank=get("targetBlank", fields.boolean),
        location=get("location", fields.location),
        tags=get("tags", fields.text),
        root_path=get("rootPath", fields.text),
        port=get("port", fields.port),
    )


def protocol(obj: shapes.KubeObject, *, default: str, report: results.Report) -> str:
    """The scheme for kinds whose spec does not say (VirtualService, HTTPRoute)."""
    key, value = lookup(shapes.annotations(obj), "protocol")
    chosen = fields.text(value, field=key, report=report)
    if chosen is None:
        return default
    if chosen.lower() in urls.SCHEMES:
        return chosen.lower()
    report.bad_field(key, f"{results.show(chosen)} is not http or https, using {default!r}")
    return default


def application(
    obj: shapes.KubeObject,
    subject: results.Subject,
    *,
    derived_url: DerivedUrl,
    scheme_from_annotation: bool = False,
    settings: Settings,
    report: results.Report,
) -> model.Application:
    """The item of an annotated object; an explicit `url` wins over `derived_url(spec)`.

    With `scheme_from_annotation` (VirtualService, HTTPRoute: the spec does not say which scheme
    clients use), `derived_url` also gets the `protocol` annotation's scheme or `defaultProtocol`.
    The `port` annotation goes into the derived URL (the port the users reach, not the spec's).
    """
    spec = shapes.spec(obj)
    if scheme_from_annotation:
        scheme = protocol(obj, default=settings.default_protocol, report=report)
        derived = derived_url(spec, scheme=scheme)
    else:
        derived = derived_url(spec)
    values = read(shapes.annotations(obj), report=report)
    if derived is not None and values.port is not None:
        derived = urls.with_port(derived, values.port)
    url = urls.with_root_path(
        values.url or derived, values.root_path, field=KEYS["rootPath"][0], report=report
    )
    return model.Application(
        id=subject.id,
        name=values.name or subject.name,
        group=values.group or subject.namespace,
        namespace=subject.namespace,
        resource_name=subject.name,
        source=subject.source,
        url=url,
        icon=values.icon,
        icon_color=values.icon_color,
        info=values.info,
        target_blank=values.target_blank,
        location=values.location,
        enabled=values.enabled,
        root_path=values.root_path,
        tags=values.tags,
    )
