"""Istio VirtualService (networking.istio.io) → application: the annotations, plus a host.

The spec does not say which scheme clients use, so the `startpunkt.ullberg.us/protocol`
annotation or the configured `defaultProtocol` does; the host is `spec.hosts[0]`. A `url`
annotation wins, which the reference ignored for VirtualServices.
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
    scheme = annotated.protocol(obj, default=settings.default_protocol, report=report)
    return annotated.application(
        obj, subject, derived_url=derived_url(shapes.spec(obj), scheme=scheme), report=report
    )


def derived_url(spec: dict[str, Any], *, scheme: str) -> str | None:
    hosts = shapes.sequence(spec.get("hosts"))
    return urls.origin(scheme, hosts[0]) if hosts else None
