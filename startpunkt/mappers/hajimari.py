"""Hajimari's custom resources (hajimari.io/v1alpha1) → applications and bookmarks.

Homelabs moving from Hajimari keep their resources: they map like Startpunkt's own, restricted
to the fields Hajimari defines (no `urlFrom`, so a Hajimari author cannot read other objects).
The `startpunkt.ullberg.us/rootPath` and `/tags` annotations apply, as they did in the reference.
"""

from __future__ import annotations

from startpunkt import model
from startpunkt.config import Settings
from startpunkt.mappers import results, shapes, startpunkt_crd

APPLICATION_KEYS = frozenset(
    {"name", "group", "icon", "iconColor", "url", "info", "targetBlank", "location", "enabled"}
)
BOOKMARK_KEYS = frozenset({"name", "group", "icon", "url", "info", "targetBlank", "location"})


def application(
    obj: shapes.KubeObject,
    subject: results.Subject,
    *,
    settings: Settings,
    report: results.Report,
) -> model.Application:
    return startpunkt_crd.application_from_spec(
        obj, subject, keys=APPLICATION_KEYS, settings=settings, report=report
    )


def bookmark(
    obj: shapes.KubeObject,
    subject: results.Subject,
    *,
    settings: Settings,
    report: results.Report,
) -> model.Bookmark:
    return startpunkt_crd.bookmark_from_spec(obj, subject, keys=BOOKMARK_KEYS, report=report)
