"""Startpunkt's own custom resources (startpunkt.ullberg.us) → applications and bookmarks.

Every served version (v1alpha1 to v1alpha4) maps alike: the API server already prunes the fields a
version does not define, and a file author who writes a newer field means it. Fields default one
by one: group to the namespace, a missing name to metadata.name (reported for Applications,
where it is required), `rootPath` and `tags` to the annotations of the same name.
`enabled: false` keeps the Application off the page (decided in `map_object`).
"""

from __future__ import annotations

from typing import Any

from startpunkt import model
from startpunkt.config import Settings
from startpunkt.mappers import annotated, fields, results, shapes, url_from, urls

APPLICATION_KEYS = frozenset(
    {
        "name",
        "group",
        "icon",
        "iconColor",
        "url",
        "urlFrom",
        "info",
        "targetBlank",
        "location",
        "enabled",
        "rootPath",
        "tags",
    }
)
BOOKMARK_KEYS = frozenset({"name", "group", "icon", "url", "info", "targetBlank", "location"})


def application(
    obj: shapes.KubeObject,
    subject: results.Subject,
    *,
    keys: frozenset[str] = APPLICATION_KEYS,
    settings: Settings,
    report: results.Report,
) -> model.Application:
    """An Application CR of any flavour; `keys` are the spec fields its kind defines."""
    spec = _spec(obj, keys=keys, report=report)
    notes = shapes.annotations(obj)
    name = fields.text(spec.get("name"), field="name", report=report)
    if name is None:
        report.bad_field("name", f"missing, using metadata.name {subject.name!r}")
    root_path = fields.text(spec.get("rootPath"), field="rootPath", report=report)
    root_path_key = "rootPath"
    if root_path is None:
        root_path_key, value = annotated.lookup(notes, "rootPath")
        root_path = fields.text(value, field=root_path_key, report=report)
    tags = fields.text(spec.get("tags"), field="tags", report=report)
    if tags is None:
        key, value = annotated.lookup(notes, "tags")
        tags = fields.text(value, field=key, report=report)
    link = urls.link(spec.get("url"), field="url", report=report)
    ref = None
    if spec.get("urlFrom") is not None:
        ref = url_from.parse(
            spec["urlFrom"],
            namespace=subject.namespace,
            allowed_kinds=settings.url_from_kinds(),
            report=report,
        )
    if "url" not in spec and "urlFrom" not in spec:
        report.bad_field("url", "missing: the application has no link")
    return model.Application(
        id=subject.id,
        name=name or subject.name,
        group=fields.text(spec.get("group"), field="group", report=report) or subject.namespace,
        namespace=subject.namespace,
        resource_name=subject.name,
        source=subject.source,
        url=urls.with_root_path(link, root_path, field=root_path_key, report=report),
        icon=fields.icon(spec.get("icon"), field="icon", report=report),
        icon_color=fields.color(spec.get("iconColor"), field="iconColor", report=report),
        info=fields.text(spec.get("info"), field="info", report=report),
        target_blank=fields.boolean(spec.get("targetBlank"), field="targetBlank", report=report),
        location=fields.location(spec.get("location"), field="location", report=report),
        enabled=fields.boolean(spec.get("enabled"), field="enabled", report=report),
        root_path=root_path,
        tags=tags,
        url_from=ref,
    )


def bookmark(
    obj: shapes.KubeObject,
    subject: results.Subject,
    *,
    keys: frozenset[str] = BOOKMARK_KEYS,
    settings: Settings,
    report: results.Report,
) -> model.Bookmark:
    """A Bookmark CR of any flavour; name and group default silently, as the reference did."""
    spec = _spec(obj, keys=keys, report=report)
    link = urls.link(spec.get("url"), field="url", report=report)
    if link is None and "url" not in spec:
        report.bad_field("url", "missing: the bookmark has no link")
    return model.Bookmark(
        id=subject.id,
        name=fields.text(spec.get("name"), field="name", report=report) or subject.name,
        group=fields.text(spec.get("group"), field="group", report=report) or subject.namespace,
        namespace=subject.namespace,
        resource_name=subject.name,
        source=subject.source,
        url=link,
        icon=fields.icon(spec.get("icon"), field="icon", report=report),
        info=fields.text(spec.get("info"), field="info", report=report),
        target_blank=fields.boolean(spec.get("targetBlank"), field="targetBlank", report=report),
        location=fields.location(spec.get("location"), field="location", report=report),
    )


def _spec(
    obj: shapes.KubeObject, *, keys: frozenset[str], report: results.Report
) -> dict[str, Any]:
    """The spec fields this kind defines; a spec that is not a mapping is reported."""
    raw = obj.get("spec")
    if raw is not None and not isinstance(raw, dict):
        report.bad_field("spec", f"{results.show(raw)} is not a mapping, ignored")
    return {key: value for key, value in shapes.mapping(raw).items() if key in keys}
