"""The start page people open: `/` and `/<tags>`, rendered on the server from the catalog.

The first paint already shows every group and card; `static/js/` then takes over (live events,
polling, search, themes, translations). Nothing from the cluster reaches the HTML unescaped, and
links, colours and icons pass `startpunkt.safe`, which `static/js/cards.js` mirrors for the cards
it builds later.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Response, make_response, render_template, request

from startpunkt import catalog, config, i18n, model, runtime, safe
from startpunkt.web import icons, responses

bp = Blueprint("page", __name__)

RESERVED = frozenset({"api", "q", "static", "icons", "favicon.ico", "robots.txt"})
"""First path segments that belong to other parts; `/<tags>` must never answer for them."""

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
"""`{{name}}` in a translated text, the syntax of the reference UI's files."""
AVATAR_HUES = (211, 262, 330, 4, 24, 142, 174, 196, 236, 286, 348, 36)
"""Hues of letter avatars, spread around the wheel without the unreadable yellows."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: http: https:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'self'; form-action 'self'"
)
"""No inline or foreign script can run even if escaping ever failed; icons may load anywhere."""


@bp.get("/")
def index() -> Response:
    return _render(None)


@bp.get("/<tags>")
@bp.get("/<tags>/")
def tagged(tags: str) -> Response:
    """The page for `tags`; a trailing slash (`/admin/`) changes nothing."""
    if tags.lower() in RESERVED:
        return responses.not_found(f"/{tags}")
    return _render(model.split_tags(tags))


def _render(tags: frozenset[str] | None) -> Response:
    rt = runtime.get()
    settings = rt.settings
    position = _stream_position(rt)  # before the snapshot: a replay may repeat, never miss
    snapshot = rt.catalog.snapshot()
    language = i18n.resolve(settings.default_language, settings.default_language)
    strings = _translations(language)
    app_groups = snapshot.application_groups(tags)
    bookmark_groups = snapshot.bookmark_groups()
    icon_bases = icons.bases()
    state = {
        "root": request.script_root,
        "icons": icon_bases,
        "lastEventId": position,
        "tags": sorted(tags or ()),
        "config": config.public(settings, rt.version)["config"],
        "applications": [model.to_json(a) for g in app_groups for a in g.items],
        "bookmarks": [model.to_json(b) for b in snapshot.bookmarks],
        "strings": strings,
        "language": language,
    }
    html = render_template(
        "index.html",
        clusters=clusters(snapshot, settings.clusters.local.name),
        unreachable=unreachable(snapshot),
        title=settings.web.title,
        lang=language,
        theme=theme_colors(settings),
        tags=sorted(tags or ()),
        root=request.script_root,
        app_groups=[_group_view(g, "apps", icon_bases) for g in app_groups],
        bookmark_groups=[_group_view(g, "bookmarks", icon_bases) for g in bookmark_groups],
        state=state,
        t=_translator(strings),
        version=rt.version,
        show_github=settings.web.github_link.enabled,
    )
    response = make_response(html)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _stream_position(rt: runtime.Runtime) -> str | None:
    """The newest event id: the page resumes from there, so nothing after this render is lost."""
    broadcaster = rt.broadcaster
    return broadcaster.last_event_id() if broadcaster is not None else None


def _translator(strings: Mapping[str, str]) -> Callable[..., str]:
    def t(key: str, **values: Any) -> str:
        return PLACEHOLDER.sub(lambda m: str(values.get(m[1], m[0])), strings.get(key, key))

    return t


@functools.lru_cache(maxsize=32)
def _translations(tag: str) -> dict[str, str]:
    """English, then language `tag` over it, as dotted keys (shared: never modify the result)."""
    return {**flatten(i18n.messages(i18n.FALLBACK)), **flatten(i18n.messages(tag))}


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """`{"home": {"bookmarks": "B"}}` → `{"home.bookmarks": "B"}`; non-strings dropped."""
    out: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, str):
            out[prefix + key] = value
    return out


def theme_colors(settings: config.Settings) -> dict[str, dict[str, str]]:
    """Theme colours as CSS variable values; an unusable value falls back to the default."""
    defaults = config.ThemeSettings()
    out: dict[str, dict[str, str]] = {}
    for mode in ("light", "dark"):
        chosen, fallback = getattr(settings.web.theme, mode), getattr(defaults, mode)
        out[mode] = {
            name: value if safe.color(value) else getattr(fallback, name)
            for name, value in vars(chosen).items()
        }
    return out


def avatar_hue(name: str) -> int:
    """A stable avatar hue for a name (the same hash as cards.js)."""
    h = 0
    for ch in name:
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF
    return AVATAR_HUES[h % len(AVATAR_HUES)]


def avatar_letter(name: str) -> str:
    return next((ch.upper() for ch in name if ch.isalnum()), "?")[:2]


def tag_list(tags: str | None) -> list[str]:
    return [t.strip() for t in (tags or "").split(",") if t.strip()]


def short_url(url: str | None) -> str:
    return re.sub(r"/$", "", re.sub(r"^https?://", "", url or "", flags=re.IGNORECASE))


def card_view(item: model.Item, icon_bases: Mapping[str, str]) -> dict[str, Any]:
    """What the template needs for one card; mirrors `cards.js` `buildCard`."""
    url = safe.url(item.url)
    available = getattr(item, "available", True)
    return {
        "id": item.id,
        "name": item.name,
        "kind": "app" if isinstance(item, model.Application) else "bookmark",
        "url": url if available else None,
        "new_tab": bool(item.target_blank),
        "info": item.info or short_url(url),
        "tags": tag_list(getattr(item, "tags", None)),
        "available": available,
        "color": safe.color(getattr(item, "icon_color", None)),
        "hue": avatar_hue(item.name),
        "letter": avatar_letter(item.name),
        "icon": safe.icon_source(item.icon, icon_bases),
        "cluster": item.cluster,
        "stale": bool(item.stale),
    }


def clusters(snapshot: catalog.Snapshot, local: str) -> list[str]:
    """The clusters the items come from: the local one first, then by name."""
    names = {i.cluster for i in (*snapshot.applications, *snapshot.bookmarks)}
    return sorted(names, key=lambda name: (name != local, name.lower(), name))


def unreachable(snapshot: catalog.Snapshot) -> list[dict[str, str]]:
    """Each cluster whose items are stale, with when it was last heard from (the earliest)."""
    since: dict[str, str] = {}
    for item in (*snapshot.applications, *snapshot.bookmarks):
        if item.stale and item.stale_since:
            since[item.cluster] = min(since.get(item.cluster, item.stale_since), item.stale_since)
    return [{"name": name, "since": since[name]} for name in sorted(since)]


def _group_view(
    group: catalog.Group, section: str, icon_bases: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "name": group.name,
        "key": f"{section}:{group.name.lower()}",
        "cards": [card_view(i, icon_bases) for i in group.items],
    }
