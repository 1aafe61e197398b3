"""Traefik IngressRoute (traefik.io, and the older traefik.containo.us): the link a route gives.

The first route's match is read: ``Host(`h`)``, optionally with ``PathPrefix(`/p`)`` or
``Path(`/p`)``, joined by `&&` to anything else (headers, methods), which does not change the
link. `https` when `spec.tls` is set or the entry points include `websecure`. A match the parser
does not understand (`||`, negation, grouping, regexp hosts, several hosts) gives no link: an
explicit `url`/`href` annotation must then say it, or the object is skipped, naming the match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from startpunkt import model
from startpunkt.config import Settings
from startpunkt.mappers import annotated, results, shapes, urls

SECURE_ENTRY_POINTS = frozenset({"websecure"})
"""The entry point Traefik's default configuration (and k3s) serves TLS on."""
_QUOTED = r"(?:`[^`]*`|\"[^\"\\]*\")"
_MATCHER = re.compile(rf"\s*(\w+)\(\s*({_QUOTED}(?:\s*,\s*{_QUOTED})*)\s*\)\s*")
"""One matcher and its quoted arguments: ``Host(`a`)``, `Host("a")`, ``Header(`k`, `v`)``."""
_ARGUMENT = re.compile(_QUOTED)


@dataclass(frozen=True)
class Match:
    """What a route's match says about its link."""

    host: str
    path: str | None = None


class NotUnderstood(ValueError):
    """A match this parser cannot turn into a link; the message says why."""


def parse(rule: str) -> Match:
    """The host and path of a match made of matchers joined by `&&`."""
    if "||" in rule or "!" in rule:
        raise NotUnderstood("alternatives (||) and negation (!) name no single link")
    host: str | None = None
    path: str | None = None
    for part in rule.split("&&"):
        matcher = _MATCHER.fullmatch(part)
        if matcher is None:
            raise NotUnderstood(
                f"{results.show(part.strip())} is not a matcher with quoted arguments"
            )
        name = matcher[1]
        values = [quoted[1:-1] for quoted in _ARGUMENT.findall(matcher[2])]
        if name == "Host":
            if host is not None or len(values) > 1:
                raise NotUnderstood("several hosts")
            host = values[0]
        elif name in ("PathPrefix", "Path"):
            path = values[0] if path is None else path
        elif name.endswith("Regexp"):
            raise NotUnderstood(f"{name} names no single link")
    if host is None:
        raise NotUnderstood("no Host matcher")
    return Match(host, path)


def derived_url(spec: dict[str, Any]) -> str | None:
    """The link of the first route; NotUnderstood when its match cannot give one."""
    routes = shapes.sequence(spec.get("routes"))
    rule = shapes.mapping(routes[0]).get("match") if routes else None
    if not isinstance(rule, str) or not rule.strip():
        return None
    match = parse(rule)
    entry_points = {e for e in shapes.sequence(spec.get("entryPoints")) if isinstance(e, str)}
    secure = isinstance(spec.get("tls"), dict) or bool(entry_points & SECURE_ENTRY_POINTS)
    base = urls.base_url("https" if secure else "http", match.host)
    if base is None:
        raise NotUnderstood(f"{results.show(match.host)} is not a host name")
    return base + (urls.plain_path(match.path) or "")


def application(
    obj: shapes.KubeObject,
    subject: results.Subject,
    *,
    settings: Settings,
    report: results.Report,
) -> model.Application | None:
    """The item of an annotated IngressRoute; None when it has no link at all (reported)."""
    problem: list[str] = []

    def link(spec: dict[str, Any]) -> str | None:
        try:
            return derived_url(spec)
        except NotUnderstood as exc:
            problem.append(str(exc))
            return None

    item = annotated.application(obj, subject, derived_url=link, settings=settings, report=report)
    if item.url is None and problem:
        rule = shapes.mapping(shapes.sequence(shapes.spec(obj).get("routes"))[0]).get("match")
        report.skipped(
            f"spec.routes[0].match {results.show(rule)}: {problem[0]}; "
            "give the link in a url annotation (startpunkt.ullberg.us/url), object skipped"
        )
        return None
    return item
