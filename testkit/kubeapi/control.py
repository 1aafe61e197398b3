"""Control endpoints under `/_kubeapi/`, for a server running as a process (the CLI).

A gunicorn test cannot call `compact()` or `drop_watches()` on a server in another process, so
the same operations are offered over HTTP (behind the bearer token when one is set). Objects
are changed with ordinary Kubernetes requests (POST, PUT, DELETE) instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from testkit.kubeapi import protocol

if TYPE_CHECKING:
    from testkit.kubeapi.server import KubeApiServer

PREFIX = "/_kubeapi/"


def handle(api: KubeApiServer, request: protocol.Request) -> bytes | None:
    """The response to a control request, or None when the request is not one."""
    if not request.path.startswith(PREFIX):
        return None
    keep_alive = request.keep_alive
    if api.token and request.headers.get("authorization") != f"Bearer {api.token}":
        return protocol.json_response(401, protocol.status(401, "Unauthorized"))
    target = request.query.get("target") or None
    match request.method, request.path.removeprefix(PREFIX):
        case "POST", "compact":
            api.compact()
            body: dict[str, object] = {"compactedTo": api.resource_version}
        case "POST", "drop-watches":
            body = {"dropped": api.drop_watches(target)}
        case "GET", "state":
            body = {
                "resourceVersion": api.resource_version,
                "openWatches": api.open_watches(target),
                "requests": {verb: api.count(verb, target) for verb in api.VERBS},
                "lastEventSent": api.last_event_sent,
            }
        case _:
            return protocol.json_response(404, protocol.status(404, "no such control"))
    return protocol.json_response(200, body, keep_alive=keep_alive)
