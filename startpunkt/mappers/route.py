"""OpenShift Route (route.openshift.io) → application: the annotations, plus `spec.host`.

`https` when `spec.tls` is set, else `http`; then `spec.path` when it is a plain path. A Route
without a host gives no link (the reference invented `localhost`). A `url` annotation wins, which
the reference ignored for Routes.
"""

from __future__ import annotations

from typing import Any

from startpunkt import model
from startpunkt.config import Settings
from startpunkt.mappers import annotated, results, shapes, urls


def application(
    obj: shapes.KubeObject,
    subject: results.Subject,
    *,
    settings: Settings,
    report: results.Report,
) -> model.Application:
    return annotated.application(
        obj, subject, derived_url=derived_url(shapes.spec(obj)), report=report
    )


def derived_url(spec: dict[str, Any]) -> str | None:
    base = urls.origin("https" if isinstance(spec.get("tls"), dict) else "http", spec.get("host"))
    if base is None:
        return None
    return base + (urls.plain_path(spec.get("path")) or "")
