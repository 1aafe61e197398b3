"""Turns one HTTP request into a complete response, or into the plan for a watch stream.

Routing follows the API server's URL scheme: `/api/v1/...` (core) and `/apis/{group}/{version}/
...`, `namespaces/{ns}/` for namespaced collections, `{plural}/{name}` for one object. Auth, then
request counting, then injected faults come first, so tests can observe retries of failing calls.
"""

from __future__ import annotations

import collections
import dataclasses
import fnmatch
import json
import logging
from typing import Any

from testkit.kubeapi import discovery, protocol, registry, store

logger = logging.getLogger(__name__)

HEALTH_PATHS = ("/healthz", "/livez", "/readyz")


@dataclasses.dataclass(frozen=True)
class Fault:
    status: int
    verbs: frozenset[str] | None  # None: every verb


@dataclasses.dataclass(frozen=True)
class WatchSpec:
    """What a watch request asked for; the connection streams it (see watching.py)."""

    resource: registry.ResourceType
    namespace: str | None
    resource_version: str  # "" or "0": start with the current objects
    timeout: float | None
    bookmarks: bool
    hang: bool


@dataclasses.dataclass
class State:
    """Everything a request may read or change; owned by the server."""

    types: registry.Registry
    objects: store.Store
    token: str | None = None
    address: str = "127.0.0.1"
    faults: dict[str, Fault] = dataclasses.field(default_factory=dict)
    hangs: set[str] = dataclasses.field(default_factory=set)
    requests: collections.Counter[tuple[str, str]] = dataclasses.field(
        default_factory=collections.Counter
    )


def target_matches(target: str, name: str | None, path: str) -> bool:
    """A target is a plural, `plural.group`, or (containing `/`) a glob on the URL path."""
    if "/" in target:
        return fnmatch.fnmatchcase(path, target)
    return name is not None and registry.name_matches(target, name)


def present(resource: registry.ResourceType, obj: dict, *, in_list: bool = False) -> dict:
    """The object as served at the requested version (built-in list items lose kind)."""
    if in_list and resource.builtin:
        return {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    return {**obj, "apiVersion": resource.api_version}


def handle(state: State, request: protocol.Request) -> bytes | WatchSpec:
    keep_alive = request.keep_alive
    if request.path in HEALTH_PATHS:
        return protocol.text_response(200, "ok", keep_alive=keep_alive)
    if state.token and request.headers.get("authorization") != f"Bearer {state.token}":
        body = protocol.status(401, "Unauthorized")
        return protocol.json_response(401, body, keep_alive=keep_alive)
    try:
        code, body = _route(state, request)
    except _Reply as reply:
        code, body = reply.code, reply.body
    except Exception:
        logger.exception("%s %s failed", request.method, request.path)
        code, body = 500, protocol.status(500, "the test API server failed; see its log")
    if isinstance(body, WatchSpec):
        return body
    return protocol.json_response(code, body, keep_alive=keep_alive)


class _Reply(Exception):
    def __init__(self, code: int, body: Any) -> None:
        super().__init__(code)
        self.code = code
        self.body = body


def _fail(code: int, message: str, **details: str) -> _Reply:
    return _Reply(code, protocol.status(code, message, details=details or None))


def _not_found() -> _Reply:
    return _fail(404, "the server could not find the requested resource")


def _count_and_check_faults(state: State, verb: str, name: str | None, path: str) -> None:
    """Count the request under its resource name (or path), then raise an injected fault."""
    state.requests[(verb, name or path)] += 1
    for target, fault in state.faults.items():
        if target_matches(target, name, path) and (fault.verbs is None or verb in fault.verbs):
            raise _fail(fault.status, f"injected failure for {target}")


def _route(state: State, request: protocol.Request) -> tuple[int, Any]:
    parts = [p for p in request.path.split("/") if p]
    if parts[:1] == ["api"] and len(parts) > 2:
        return _resource_request(state, request, "", parts[1], parts[2:])
    if parts[:1] == ["apis"] and len(parts) > 3:
        return _resource_request(state, request, parts[1], parts[2], parts[3:])
    if request.method != "GET":
        raise _fail(405, f"method {request.method} not allowed")
    _count_and_check_faults(state, "discovery", None, request.path)
    document = _discovery(state, parts)
    if document is None:
        raise _not_found()
    return 200, document


def _discovery(state: State, parts: list[str]) -> dict[str, Any] | None:
    match parts:
        case ["version"]:
            return discovery.VERSION_INFO
        case ["api"]:
            return discovery.core_versions(state.address)
        case ["api", version]:
            return discovery.resource_list(state.types, "", version)
        case ["apis"]:
            return discovery.group_list(state.types)
        case ["apis", group]:
            return discovery.group(state.types, group)
        case ["apis", group, version]:
            return discovery.resource_list(state.types, group, version)
    return None


def _resource_request(
    state: State, request: protocol.Request, group: str, version: str, rest: list[str]
) -> tuple[int, Any]:
    watch = request.flag("watch")
    if rest[0] == "watch":  # the deprecated /watch/ URL form
        watch, rest = True, rest[1:]
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 2:
        raise _not_found()  # subresources (status, scale, ...) are not served
    plural, name = rest[0], (rest[1] if len(rest) == 2 else None)
    verb = _verb(request.method, name=name, watch=watch)
    # Counted before the lookup, so polling for a kind that is not installed shows up too.
    _count_and_check_faults(state, verb, registry.resource_name(group, plural), request.path)
    resource = state.types.find(group, version, plural)
    if resource is None or resource.plural != plural:
        raise _not_found()
    if (namespace and not resource.namespaced) or (name and resource.namespaced and not namespace):
        raise _not_found()
    if any(key in request.query for key in ("labelSelector", "fieldSelector")):
        raise _fail(400, "selectors are not supported by testkit.kubeapi")
    if verb == "watch":
        return 200, _watch_spec(state, request, resource, namespace)
    if verb == "list":
        return 200, _list(state, resource, namespace)
    if verb == "create":
        return 201, _write(state, resource, namespace, None, request.body)
    assert name is not None
    return _object_request(state, request, verb, resource, namespace, name)


def _object_request(
    state: State,
    request: protocol.Request,
    verb: str,
    resource: registry.ResourceType,
    namespace: str | None,
    name: str,
) -> tuple[int, Any]:
    """get, update (PUT) or delete of one existing object."""
    existing = state.objects.get(resource.storage_key, namespace, name)
    details = {"name": name, "group": resource.group, "kind": resource.plural}
    if existing is None:
        raise _fail(404, f'{resource.name} "{name}" not found', **details)
    if verb == "get":
        return 200, present(resource, existing)
    if verb == "update":
        return 200, _write(state, resource, namespace, name, request.body)
    state.objects.remove(resource, namespace, name)
    success = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    return 200, {**success, "details": {**details, "uid": existing["metadata"]["uid"]}}


def _verb(method: str, *, name: str | None, watch: bool) -> str:
    verbs = {
        ("GET", False): "watch" if watch else "list",
        ("GET", True): "get",
        ("POST", False): "create",
        ("PUT", True): "update",
        ("DELETE", True): "delete",
    }
    verb = verbs.get((method, name is not None))
    if verb is None:
        raise _fail(405, f"method {method} not allowed here")
    return verb


def _list(state: State, resource: registry.ResourceType, namespace: str | None) -> dict:
    items = state.objects.items(resource.storage_key, namespace)
    return {
        "kind": f"{resource.kind}List",
        "apiVersion": resource.api_version,
        "metadata": {"resourceVersion": str(state.objects.resource_version)},
        "items": [present(resource, obj, in_list=True) for obj in items],
    }


def _watch_spec(
    state: State, request: protocol.Request, resource: registry.ResourceType, namespace: str | None
) -> WatchSpec:
    resource_version = request.query.get("resourceVersion", "")
    if resource_version not in ("", "0") and not resource_version.isdigit():
        raise _fail(400, f"invalid resourceVersion {resource_version!r}")
    timeout = request.query.get("timeoutSeconds", "")
    return WatchSpec(
        resource=resource,
        namespace=namespace,
        resource_version=resource_version,
        timeout=float(timeout) if timeout.isdigit() and int(timeout) > 0 else None,
        bookmarks=request.flag("allowWatchBookmarks"),
        hang=any(target_matches(t, resource.name, request.path) for t in state.hangs),
    )


def _write(
    state: State,
    resource: registry.ResourceType,
    namespace: str | None,
    name: str | None,
    body: bytes,
) -> dict:
    """POST (name None, must not exist) or PUT (must exist, names must agree)."""
    try:
        obj = json.loads(body)
        metadata = obj.setdefault("metadata", {})
    except (ValueError, AttributeError):
        raise _fail(400, "the request body is not a JSON object") from None
    if namespace:
        metadata["namespace"] = metadata.get("namespace") or namespace
        if metadata["namespace"] != namespace:
            raise _fail(400, "the namespace of the object does not match the URL")
    if not metadata.get("name"):
        raise _fail(422, "metadata.name: Required value")
    if name is not None and metadata["name"] != name:
        raise _fail(400, "the name of the object does not match the URL")
    if name is None and state.objects.get(resource.storage_key, namespace, metadata["name"]):
        raise _fail(409, f'{resource.name} "{metadata["name"]}" already exists')
    return present(resource, state.objects.put(resource, obj))
