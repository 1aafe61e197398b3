"""Catalog items built directly with `startpunkt.model`, for tests that must not depend on mappers.

Web, event, catalog and prober tests each need applications and bookmarks; one builder keeps the
id, namespace and resource name consistent however a test overrides them.
"""

from __future__ import annotations

from typing import Any

from startpunkt import model


def application(name: str, group: str, **fields: Any) -> model.Application:
    """An Application custom resource's item in namespace `default`, named after `name`.

    `resource_name`, `namespace` and `source` may be given like any other field; the id follows.
    """
    identity = _identity(name, group, fields, source="Application")
    return model.Application(**identity, **fields)


def bookmark(name: str, group: str, **fields: Any) -> model.Bookmark:
    """A Bookmark custom resource's item in namespace `default` (overrides as for applications)."""
    identity = _identity(name, group, fields, source="Bookmark")
    return model.Bookmark(**identity, **fields)


def _identity(name: str, group: str, fields: dict[str, Any], *, source: str) -> dict[str, Any]:
    """The identifying fields, taken out of `fields` where given there."""
    resource = fields.pop("resource_name", name.lower().replace(" ", "-"))
    namespace = fields.pop("namespace", "default")
    source = fields.pop("source", source)
    return {
        "id": model.item_id(source, namespace, resource),
        "name": name,
        "group": group,
        "namespace": namespace,
        "resource_name": resource,
        "source": source,
    }
