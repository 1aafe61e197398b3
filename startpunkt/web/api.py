"""The REST API under `/api/`: JSON read from the catalog snapshot, never from Kubernetes.

Paths and shapes follow the reference (SPEC §3). The lists carry an ETag derived from the
snapshot's content hash, equal in every worker, so a polling client revalidates for the price of
a header comparison; each list is serialised once per catalog version. Every error under `/api/`
answers JSON (`{"error": ..., "status": ...}`), including paths nothing serves.

`?scope=local` on the lists answers what another instance following this one needs: this
instance's own items only (none it follows from elsewhere, so instances that follow each other
never echo), every application, tagged or not, exactly the items the stream `?scope=local`
tells about.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from typing import Any

from flask import Blueprint, Response, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import BadRequest, NotFound

from startpunkt import catalog, config, i18n, model, runtime
from startpunkt.web import responses

bp = Blueprint("api", __name__)
responses.json_errors(bp, prefix="/api")  # the page owns `/<tags>`: `/api/…` must never reach it

MAX_CACHED_BODIES = 32
"""Serialised lists kept per catalog version (each up to ~330 KiB at 1,000 apps); more tag
combinations than this are rebuilt."""

_PONGS = {
    "apps": "Application",
    "bookmarks": "Bookmark",
    "config": "Config",
    "i8n": "I8n",
    "theme": "Theme",
}
"""Ping paths and the resource named in their answer, as the reference words it."""


class BodyCache:
    """Serialised list answers of the current snapshot, by kind and effective tags."""

    def __init__(self) -> None:
        self._snapshot: catalog.Snapshot | None = None
        self._bodies: dict[Hashable, bytes] = {}
        self._tags: frozenset[str] = frozenset()

    def _follow(self, snapshot: catalog.Snapshot) -> None:
        """Forget everything when the catalog has moved on."""
        if snapshot is not self._snapshot:
            self._snapshot, self._bodies = snapshot, {}
            self._tags = frozenset().union(*(a.tag_set() for a in snapshot.applications))

    def known_tags(self, snapshot: catalog.Snapshot) -> frozenset[str]:
        """Every tag some application of `snapshot` carries."""
        self._follow(snapshot)
        return self._tags

    def body(self, snapshot: catalog.Snapshot, key: Hashable, build: Callable[[], Any]) -> bytes:
        """The JSON of `build()` for `key`, serialised at most once per snapshot."""
        self._follow(snapshot)
        body = self._bodies.get(key)
        if body is None:
            if len(self._bodies) >= MAX_CACHED_BODIES:
                del self._bodies[next(iter(self._bodies))]
            body = self._bodies[key] = responses.dumps(build())
        return body


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    runtime.get(state.app).api_bodies = BodyCache()


@bp.after_request
def _no_sniff(response: Response) -> Response:
    """Browsers must never render an answer (names come from the cluster) as anything else."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _etag(snapshot: catalog.Snapshot) -> str:
    """Same items and release, same tag: in every worker and replica."""
    return f"{snapshot.digest}-{runtime.get().version}"


def _not_modified(etag: str) -> Response:
    response = Response(status=304)
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(etag)
    return response


def _groups(groups: list[catalog.Group], member: str) -> dict[str, Any]:
    return {
        "groups": [
            {"name": g.name, member: [model.to_json(item) for item in g.items]} for g in groups
        ]
    }


SCOPES = ("all", "local")


def scope() -> str:
    """The `scope` query parameter: `all` (the default) or `local` (this instance's own items)."""
    value = request.args.get("scope", "all")
    if value not in SCOPES:
        raise BadRequest(f"The scope parameter must be one of {', '.join(SCOPES)}.")
    return value


def _list_answer(kind: str, tags: str = "") -> Response:
    """A cached group list, or 304 before any JSON is touched when the client has it."""
    rt = runtime.get()
    snapshot = rt.catalog.snapshot()
    cache = rt.api_bodies
    assert cache is not None
    if scope() == "local":
        return _local_answer(kind, snapshot, cache)
    etag = _etag(snapshot)
    if request.if_none_match.contains_weak(etag):
        return _not_modified(etag)
    if kind == "bookmarks":
        body = cache.body(snapshot, kind, lambda: _groups(snapshot.bookmark_groups(), kind))
    else:
        # Tags no application carries change nothing: such requests share one body.
        wanted = model.split_tags(tags) & cache.known_tags(snapshot)
        body = cache.body(
            snapshot,
            (kind, wanted),
            lambda: _groups(snapshot.application_groups(wanted), "applications"),
        )
    return responses.json_response(body, etag=etag)


def _local_answer(kind: str, snapshot: catalog.Snapshot, cache: BodyCache) -> Response:
    """Own items only, every application: for instances following this one."""
    own = snapshot.local
    etag = _etag(own)
    if request.if_none_match.contains_weak(etag):
        return _not_modified(etag)
    items = own.bookmarks if kind == "bookmarks" else own.applications
    member = "bookmarks" if kind == "bookmarks" else "applications"
    body = cache.body(
        snapshot, ("local", kind), lambda: _groups(catalog.group_items(items), member)
    )
    return responses.json_response(body, etag=etag)


@bp.get("/api/apps")
@bp.get("/api/apps/")
def applications() -> Response:
    """Untagged applications, grouped."""
    return _list_answer("applications")


@bp.get("/api/apps/<tags>")
@bp.get("/api/apps/<tags>/")
def tagged_applications(tags: str) -> Response:
    """Untagged applications plus those with any of the comma-separated `tags`.

    `/api/apps/admin/` (and `admin%2F`, which the reference UI requests for the page `/admin/`)
    is `admin`.
    """
    return _list_answer("applications", tags)


@bp.get("/api/apps/<group>/<name>")
def application(group: str, name: str) -> Response:
    """One application, group and name matched case-insensitively."""
    snapshot = runtime.get().catalog.snapshot()
    found = snapshot.find_application(group, name)
    if found is None:
        raise NotFound(f"No application named {name!r} in group {group!r}.")
    etag = _etag(snapshot)
    if request.if_none_match.contains_weak(etag):
        return _not_modified(etag)
    return responses.json_response(model.to_json(found), etag=etag)


@bp.get("/api/bookmarks")
def bookmarks() -> Response:
    """Every bookmark, grouped."""
    return _list_answer("bookmarks")


@bp.get("/api/config")
def public_config() -> Response:
    """What the page may know about the configuration."""
    rt = runtime.get()
    return responses.json_response(config.public(rt.settings, rt.version))


@bp.get("/api/theme")
def theme() -> Response:
    """The light and dark colours, under the reference's camelCase names."""
    colours = runtime.get().settings.web.theme
    return responses.json_response(
        {"light": _colours(colours.light), "dark": _colours(colours.dark)}
    )


def _colours(colours: config.ThemeColors) -> dict[str, str]:
    return {config.camel(f.name): getattr(colours, f.name) for f in dataclasses.fields(colours)}


@bp.get("/api/i8n")
@bp.get("/api/i8n/<path:lang>")
def translation(lang: str | None = None) -> Response:
    """The translation for `lang` (`xx` or `xx-YY`), else for the default language.

    Anything else, `../../etc/passwd` included, gets the default language: the answer is
    chosen among the files loaded at start, never looked up by name.
    """
    rt = runtime.get()
    tag = i18n.resolve(lang, rt.settings.default_language)
    response = responses.json_response(i18n.body(tag), etag=f"{tag}-{rt.version}")
    response.headers["Content-Language"] = tag
    return response.make_conditional(request)


def _pong(resource: str) -> Response:
    return Response(f"Pong from {resource} Resource", mimetype="text/plain")


for _path, _resource in _PONGS.items():
    bp.add_url_rule(f"/api/{_path}/ping", f"ping_{_path}", _pong, defaults={"resource": _resource})
