"""Items another startpunkt instance serves (its REST and event JSON) → items of ours.

A remote instance is as untrusted as an annotation author: every field passes the same rules as
a local object's (`fields`, `urls`, `safe`: only http(s) links, colours and icon names that
cannot escape), every string is capped in length and must be text that encodes (a lone
surrogate would break our own JSON answers), unknown fields are ignored, and the item gets the
follower's name for that cluster and an id prefixed by it (`model.remote_id`). Pure: dicts in,
items out.
"""

from __future__ import annotations

from typing import Any

from startpunkt import model
from startpunkt.mappers import fields, results, urls
from startpunkt.mappers.results import Mapped

CAPS = {
    "id": 512,
    "name": 256,
    "group": 256,
    "namespace": 253,
    "resourceName": 253,
    "source": 64,
    "info": 1024,
    "tags": 1024,
    "rootPath": 1024,
    "url": 2048,
    "icon": 2048,
    "iconColor": 80,
}
"""Characters per field: generous for people, small enough that a remote's items cost little."""
REQUIRED = ("id", "name", "group")
SOURCES = {
    "Application": frozenset(
        {
            "Application",
            "HajimariApplication",
            "Ingress",
            "Route",
            "VirtualService",
            "HTTPRoute",
            "IngressRoute",
        }
    ),
    "Bookmark": frozenset({"Bookmark", "HajimariBookmark"}),
}
"""The `source` an item may name (what our own mappers give); another reads as the default."""


def application(obj: Any, *, cluster: str) -> Mapped:
    """An application as `/api/apps` or an APPLICATION_* event shows it; hidden ones give none."""
    return _item(obj, cluster=cluster, kind=model.Application)


def bookmark(obj: Any, *, cluster: str) -> Mapped:
    """A bookmark as `/api/bookmarks` or a BOOKMARK_* event shows it."""
    return _item(obj, cluster=cluster, kind=model.Bookmark)


def own_id(obj: Any) -> str | None:
    """The id an item has on its remote (REMOVED and STATUS_CHANGED name items by it)."""
    if not isinstance(obj, dict):
        return None
    value = obj.get("id")
    return value if _is_text(value) and 0 < len(value) <= CAPS["id"] else None


def _item(obj: Any, *, cluster: str, kind: type[model.Item]) -> Mapped:
    default = "Application" if kind is model.Application else "Bookmark"
    if not isinstance(obj, dict):
        reason = f"{results.show(obj)} is not an object: skipped"
        return Mapped(problems=(results.Problem(default, "", "", reason),))
    text = {key: _capped(obj.get(key), key) for key in CAPS}
    # Problems name the item type, not the remote's `source` text: it becomes a metric label.
    named = text["name"][0] or text["id"][0] or ""  # the log must say which item it was
    subject = results.Subject(default, text["namespace"][0] or "", named)
    report = results.Report(subject)
    for key, (_, why) in text.items():
        if why:
            report.bad_field(key, why)
    missing = [key for key in REQUIRED if not text[key][0]]
    if missing:
        report.skipped(f"no usable {', '.join(missing)}: skipped")
        return Mapped(problems=report.problems)
    common: dict[str, Any] = {
        "id": model.remote_id(cluster, text["id"][0]),
        "name": named,
        "group": text["group"][0],
        "namespace": subject.namespace,
        "resource_name": text["resourceName"][0] or "",
        "source": text["source"][0] if text["source"][0] in SOURCES[default] else default,
        "url": urls.link(text["url"][0], field="url", report=report),
        "icon": fields.icon(text["icon"][0], field="icon", report=report),
        "info": text["info"][0],
        "target_blank": fields.boolean(obj.get("targetBlank"), field="targetBlank", report=report),
        "location": fields.location(obj.get("location"), field="location", report=report),
        "cluster": cluster,
        "remote": True,
    }
    if kind is model.Bookmark:
        return Mapped(items=(model.Bookmark(**common),), problems=report.problems)
    enabled = fields.boolean(obj.get("enabled"), field="enabled", report=report)
    if enabled is False:  # the remote would not show it either
        return Mapped(problems=report.problems)
    available = fields.boolean(obj.get("available"), field="available", report=report)
    item = model.Application(
        **common,
        icon_color=fields.color(text["iconColor"][0], field="iconColor", report=report),
        enabled=enabled,
        root_path=text["rootPath"][0],
        tags=text["tags"][0],
        available=available is not False,
    )
    return Mapped(items=(item,), problems=report.problems)


def _capped(value: Any, key: str) -> tuple[str | None, str | None]:
    """`(text, None)`, or `(None, why)` when the value is not text we keep; None stays None."""
    if value is None:
        return None, None
    if isinstance(value, int | float) and not isinstance(value, bool) and key != "id":
        value = str(value)
    if not _is_text(value):
        return None, f"{results.show(value)} is not text, ignored"
    value = value.strip()
    if len(value) > CAPS[key]:
        return None, f"{len(value)} characters, more than {CAPS[key]}, ignored"
    return value or None, None


def _is_text(value: Any) -> bool:
    """A string that encodes as UTF-8 (no lone surrogates from `\\ud800` in JSON)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
