"""`urlFrom`: an Application whose URL is read from another object.

The reference is parsed and checked here, when the Application is mapped. Reading and following
the target is a source's job (`startpunkt.sources.resolver`); `resolve` then reads the property
from the target, and `apply` gives the Application its final URL, falling back to its own `url`
when the target or the property is missing. Which kinds may be read at all is `may_read`, the
one allow-list rule, checked here and again before any read.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from startpunkt import model, safe
from startpunkt.mappers import fields, results, urls

_REQUIRED = ("apiVersion", "kind", "name", "property")
_OPTIONAL = ("namespace", "apiGroup", "urlTemplate")
_STEP = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")
NEVER_READ = frozenset({"secret"})
"""Whatever the configuration says: an Application author must not read what RBAC hides."""


def parse(
    value: Any,
    *,
    namespace: str,
    allowed_kinds: tuple[str, ...],
    report: results.Report,
) -> model.UrlFrom | None:
    """The reference in a spec's `urlFrom`, or None (reported) when it cannot be followed.

    `api_version` is the bare version and `api_group` the group (None for the core group),
    whether the author wrote `apiVersion: networking.k8s.io/v1` or used `apiGroup`.
    """
    if not isinstance(value, dict):
        report.bad_field("urlFrom", f"{results.show(value)} is not a mapping, ignored")
        return None
    got = {
        key: fields.text(value.get(key), field=f"urlFrom.{key}", report=report)
        for key in (*_REQUIRED, *_OPTIONAL)
    }
    missing = [key for key in _REQUIRED if not got[key]]
    if missing:
        report.bad_field("urlFrom", f"missing {', '.join(missing)}, ignored")
        return None
    kind, prop = str(got["kind"]), str(got["property"])
    if not may_read(kind, allowed_kinds):
        allowed = ", ".join(k for k in allowed_kinds if may_read(k, allowed_kinds))
        report.bad_field(
            "urlFrom.kind", f"{results.show(kind)} may not be read (allowed: {allowed}), ignored"
        )
        return None
    if steps(prop) is None:
        report.bad_field(
            "urlFrom.property", f"{results.show(prop)} is not a path like spec.host, ignored"
        )
        return None
    group, _, version = str(got["apiVersion"]).rpartition("/")
    return model.UrlFrom(
        api_version=version,
        kind=kind,
        name=str(got["name"]),
        property=prop,
        namespace=got["namespace"] or namespace,
        api_group=got["apiGroup"] or group or None,
        url_template=got["urlTemplate"],
    )


def may_read(kind: str, allowed_kinds: Iterable[str]) -> bool:
    """Whether a target of `kind` may be read: listed in `urlFrom.allowedKinds`, never a Secret."""
    return kind.lower() not in NEVER_READ and kind in allowed_kinds


def steps(path: str) -> list[str | int] | None:
    """`status.loadBalancer.ingress[0].hostname` → keys and list indexes; None if malformed."""
    out: list[str | int] = []
    for part in path.split("."):
        match = _STEP.fullmatch(part)
        if match is None:
            return None
        out.append(match.group(1))
        out.extend(int(index) for index in _INDEX.findall(match.group(2)))
    return out


def resolve(url_from: model.UrlFrom, target: Any) -> str | None:
    """The property's value from the fetched target, through `urlTemplate`; None if absent."""
    path = steps(url_from.property)
    if path is None:
        return None
    current = target
    for step in path:
        if isinstance(step, int) and isinstance(current, list) and step < len(current):
            current = current[step]
        elif isinstance(step, str) and isinstance(current, dict):
            current = current.get(step)
        else:
            return None
    if isinstance(current, bool) or not isinstance(current, str | int | float):
        return None
    value = str(current).strip()
    if not value:
        return None
    return url_from.url_template.replace("{0}", value) if url_from.url_template else value


def apply(app: model.Application, target: dict[str, Any] | None) -> results.Mapped:
    """`app` with the URL its `urlFrom` points at (None: target not found).

    On failure `app` keeps its own `url` and a problem says why; the root path is appended to a
    resolved URL as it was to `url`.
    """
    ref = app.url_from
    if ref is None:
        return results.Mapped(items=(app,))
    report = results.Report(results.Subject(app.source, app.namespace, app.resource_name))
    where = f"{ref.kind} {ref.namespace}/{ref.name}"
    value = resolve(ref, target) if target is not None else None
    if target is None:
        report.bad_field("urlFrom", f"{where} not found, using url")
    elif value is None:
        report.bad_field("urlFrom", f"{where} has no value at {ref.property}, using url")
    elif len(value) > report.max_length:
        report.bad_field(
            "urlFrom", f"{where} gives a URL over {report.max_length} characters; using url"
        )
    elif not safe.url(value):
        report.bad_field(
            "urlFrom", f"{where} gives {results.show(value)}, not an http(s) URL; using url"
        )
    else:
        url = urls.with_root_path(value, app.root_path, field="rootPath", report=report)
        return results.Mapped(items=(dataclasses.replace(app, url=url),), problems=report.problems)
    return results.Mapped(items=(app,), problems=report.problems)
