"""The raw object shapes mappers read, and safe access to them.

Objects arrive as plain dicts from the API server or from YAML files written by hand, so any
field can be missing or of the wrong type. These helpers hand out an empty mapping or list
instead of something unusable; the mappers then never index into a wrong type.
"""

from __future__ import annotations

from typing import Any, TypedDict


class ObjectMeta(TypedDict, total=False):
    name: str
    namespace: str
    annotations: dict[str, str]


class KubeObject(TypedDict, total=False):
    """Any namespaced object: what every mapper reads."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: dict[str, Any]


def mapping(value: Any) -> dict[str, Any]:
    """`value` if it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


def sequence(value: Any) -> list[Any]:
    """`value` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def spec(obj: KubeObject) -> dict[str, Any]:
    return mapping(obj.get("spec"))


def annotations(obj: KubeObject) -> dict[str, Any]:
    return mapping(mapping(obj.get("metadata")).get("annotations"))


def identity(obj: dict[str, Any]) -> tuple[str, str]:
    """(namespace, name) of the object; "" for either when missing or not a string."""
    metadata = mapping(obj.get("metadata"))
    namespace, name = metadata.get("namespace"), metadata.get("name")
    return (
        namespace if isinstance(namespace, str) else "",
        name if isinstance(name, str) else "",
    )


MAX_NAME = 253
"""Kubernetes' own limit on object names (a DNS subdomain); files are held to it too."""
MAX_NAMESPACE = 63
"""A namespace is a DNS label."""


def missing_identity(obj: dict[str, Any]) -> str | None:
    """Which of metadata, its name or its namespace the object lacks; None if none."""
    if not isinstance(obj.get("metadata"), dict):
        return "metadata"
    namespace, name = identity(obj)
    if not name:
        return "metadata.name"
    return None if namespace else "metadata.namespace"


def overlong_identity(obj: dict[str, Any]) -> str | None:
    """Which of name and namespace is longer than Kubernetes allows; None if neither.

    Files are not checked by an API server, and the name goes into every id, event and log line.
    """
    namespace, name = identity(obj)
    if len(name) > MAX_NAME:
        return f"metadata.name longer than {MAX_NAME} characters"
    if len(namespace) > MAX_NAMESPACE:
        return f"metadata.namespace longer than {MAX_NAMESPACE} characters"
    return None


def shortened(text: str, limit: int = 60) -> str:
    """`text` cut for a log line (a name that is itself the problem)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
