"""The fake API server's lifecycle and the Python API tests drive it with.

Concurrency model: everything runs on the gevent hub of the thread that started the server. Each
connection is a greenlet; state changes (apply, delete, compact, ...) happen between yields, so
no locks exist and none are needed. Call the API only from that thread, which in a
monkey-patched process (tests, gunicorn workers) is any ordinary code, the kubernetes client
included. An unpatched process must run the server as a subprocess (`python -m
testkit.kubeapi`), because a blocking client call would starve the hub.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pathlib
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import gevent
import gevent.monkey
import gevent.pool
import gevent.server

from testkit.kubeapi import (
    certs,
    control,
    handlers,
    kubeconfig,
    loading,
    protocol,
    registry,
    store,
    watching,
)

logger = logging.getLogger(__name__)


class _Connection:
    """One client connection: its greenlet, and the watch it streams if any."""

    def __init__(self) -> None:
        self.greenlet = gevent.getcurrent()
        self.watch: handlers.WatchSpec | None = None


class KubeApiServer:
    """An in-process Kubernetes API server for tests and benchmarks (see module docstring)."""

    VERBS = ("list", "watch", "get", "create", "update", "delete", "discovery")

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        types: Iterable[registry.ResourceType] = registry.DEFAULT_TYPES,
        tls: bool | certs.Certificates = False,
        token: str | None = None,
        bookmark_interval: float = 1.0,
        history_limit: int = 100_000,
    ) -> None:
        self.host = host
        self.port = port
        self.bookmark_interval = bookmark_interval
        if tls is True:
            tls = certs.generate()
        self.certificates = tls or None
        self._ssl_context = self.certificates.server_context() if self.certificates else None
        self._state = handlers.State(
            types=registry.Registry(tuple(types)),
            objects=store.Store(history_limit=history_limit),
            token=token,
        )
        self._server: gevent.server.StreamServer | None = None
        self._connections: set[_Connection] = set()
        self.last_event_sent: float | None = None
        """Wall-clock time of the latest watch write that carried an event (benchmarks)."""

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> KubeApiServer:
        """Listen (again, on the same port after a stop) and return at once."""
        if self._server is not None:
            return self
        if not gevent.monkey.is_module_patched("socket"):
            raise RuntimeError(
                "KubeApiServer in-process needs gevent.monkey.patch_all() first; "
                "otherwise run `python -m testkit.kubeapi` as a subprocess"
            )
        self._listen()
        return self

    def serve_forever(self, ready: Callable[[], None] | None = None) -> None:
        """Listen, call ready(), and run the hub until stop() (the CLI: no patching needed)."""
        self._listen()
        assert self._server is not None
        if ready is not None:
            ready()
        self._server.serve_forever()

    def stop(self) -> None:
        """Close the listener and cut every connection; the objects are kept."""
        if self._server is None:
            return
        self._server.close()
        self._cut(list(self._connections))
        self._server.stop(timeout=0)
        self._server = None

    def __enter__(self) -> KubeApiServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def token(self) -> str | None:
        return self._state.token

    @property
    def url(self) -> str:
        scheme = "https" if self.certificates else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def kubeconfig(self, path: str | os.PathLike[str], *, insecure: bool = False) -> pathlib.Path:
        """Write a kubeconfig for this server (CA embedded, or insecure-skip-tls-verify)."""
        ca_pem = self.certificates.ca_pem if self.certificates else None
        config = kubeconfig.document(
            self.url, ca_pem=ca_pem, token=self._state.token, insecure=insecure
        )
        return kubeconfig.write(path, config)

    # -- objects ------------------------------------------------------------------------------

    def apply(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """Create or replace an object (apiVersion, kind, metadata.name needed); returns it."""
        resource = self._resource(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        return handlers.present(resource, self._state.objects.put(resource, obj))

    def delete(
        self, api_version: str, kind_or_plural: str, namespace: str | None, name: str
    ) -> dict[str, Any]:
        """Delete an object (KeyError if absent); returns it as the DELETED event shows it."""
        resource = self._resource(api_version, kind_or_plural)
        return handlers.present(resource, self._state.objects.remove(resource, namespace, name))

    def get(
        self, api_version: str, kind_or_plural: str, namespace: str | None, name: str
    ) -> dict[str, Any] | None:
        resource = self._resource(api_version, kind_or_plural)
        found = self._state.objects.get(resource.storage_key, namespace, name)
        return handlers.present(resource, found) if found else None

    def objects(
        self, api_version: str, kind_or_plural: str, namespace: str | None = None
    ) -> list[dict[str, Any]]:
        """The stored objects of a type (in one namespace if given), by namespace and name."""
        resource = self._resource(api_version, kind_or_plural)
        items = self._state.objects.items(resource.storage_key, namespace)
        return [handlers.present(resource, obj) for obj in items]

    @property
    def resource_version(self) -> int:
        """The newest resourceVersion handed out (one counter for every kind)."""
        return self._state.objects.resource_version

    def compact(self) -> None:
        """Forget the history: watches resuming from an older version get 410 Expired."""
        self._state.objects.compact()

    def load(self, directory: str | os.PathLike[str]) -> int:
        """Register CRDs and apply objects found in YAML files; returns the objects applied."""
        applied = 0
        documents = list(loading.documents(directory))
        for crd in filter(loading.is_crd, documents):
            for resource in loading.crd_types(crd):
                self._state.types.add(resource)
        for document in documents:
            if loading.is_crd(document):
                continue
            try:
                self.apply(document)
                applied += 1
            except (KeyError, ValueError) as error:
                name = (document.get("metadata") or {}).get("name")
                logger.warning("skipped %s %s: %s", document["kind"], name, error.args[0])
        return applied

    # -- types --------------------------------------------------------------------------------

    def register(
        self, group: str, version: str, plural: str, kind: str, *, namespaced: bool = True
    ) -> registry.ResourceType:
        """Serve a type from now on (discovery included), like installing a CRD."""
        resource = registry.ResourceType(group, version, plural, kind, namespaced=namespaced)
        self._state.types.add(resource)
        return resource

    def unregister(self, group: str, version: str, plural: str) -> None:
        """Stop serving a type; its watches are cut, its objects go with its last version."""
        resource = self._state.types.remove(group, version, plural)
        self._cut([c for c in self._connections if c.watch and c.watch.resource == resource])
        if not self._state.types.serves(resource.storage_key):
            self._state.objects.drop(resource.storage_key)

    # -- faults -------------------------------------------------------------------------------

    def fail(self, target: str, status: int = 500, *, verbs: Iterable[str] | None = None) -> None:
        """Answer `status` to requests for target (plural, plural.group, or path glob)."""
        self._state.faults[target] = handlers.Fault(status, frozenset(verbs) if verbs else None)

    def unfail(self, target: str | None = None) -> None:
        """Clear the fault for target, or every fault."""
        if target is None:
            self._state.faults.clear()
        else:
            self._state.faults.pop(target, None)

    def hang(self, target: str) -> None:
        """New watches of target send headers, then nothing, until the client gives up."""
        self._state.hangs.add(target)

    def unhang(self, target: str | None = None) -> None:
        if target is None:
            self._state.hangs.clear()
        else:
            self._state.hangs.discard(target)

    def drop_watches(self, target: str | None = None) -> int:
        """Cut open watch connections (of target, or all) without ending the stream cleanly."""
        doomed = [
            c
            for c in self._connections
            if c.watch and (target is None or c.watch.resource.matches(target))
        ]
        self._cut(doomed)
        return len(doomed)

    # -- observation --------------------------------------------------------------------------

    def count(self, verb: str, target: str | None = None) -> int:
        """Requests for a verb (one of VERBS) and target, counted since the server was made.

        Resource requests are counted under `plural.group` (registered or not), discovery
        requests under their path; target is a plural, `plural.group` or a path.
        """
        return sum(
            n
            for (seen_verb, name), n in self._state.requests.items()
            if seen_verb == verb and (target is None or registry.name_matches(target, name))
        )

    def open_watches(self, target: str | None = None) -> int:
        return sum(
            1
            for c in self._connections
            if c.watch and (target is None or c.watch.resource.matches(target))
        )

    def wait_for_watches(
        self, count: int = 1, target: str | None = None, *, timeout: float = 10.0
    ) -> None:
        """Block (cooperatively) until at least count watches of target are open."""
        deadline = time.monotonic() + timeout
        while self.open_watches(target) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.open_watches(target)} of {count} watches open")
            gevent.sleep(0.01)

    # -- internals ----------------------------------------------------------------------------

    def _resource(self, api_version: str, kind_or_plural: str) -> registry.ResourceType:
        group, version = registry.split_api_version(api_version)
        resource = self._state.types.find(group, version, kind_or_plural)
        if resource is None:
            raise KeyError(f"{kind_or_plural} in {api_version} is not registered")
        return resource

    def _listen(self) -> None:
        # A pool, so that stop() also kills handlers accepted but not yet running.
        self._server = gevent.server.StreamServer(
            (self.host, self.port), self._handle, spawn=gevent.pool.Pool()
        )
        self._server.start()
        self.port = self._server.server_port
        self._state.address = f"{self.host}:{self.port}"

    def _event_sent(self, when: float) -> None:
        self.last_event_sent = when

    def _cut(self, connections: list[_Connection]) -> None:
        gevent.killall([c.greenlet for c in connections], block=True, timeout=5)

    def _handle(self, sock: socket.socket, address: tuple[str, int]) -> None:
        connection = _Connection()
        self._connections.add(connection)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._ssl_context is not None:
                sock = self._ssl_context.wrap_socket(sock, server_side=True)
            self._serve_requests(sock, connection)
        except protocol.BadRequest as error:
            logger.debug("bad request from %s: %s", address, error)
            body = protocol.status(400, str(error))
            with contextlib.suppress(OSError):
                sock.sendall(protocol.json_response(400, body, keep_alive=False))
        except OSError as error:  # includes ssl.SSLError: the client went away or failed TLS
            logger.debug("connection from %s ended: %s", address, error)
        except Exception:
            logger.exception("request from %s failed", address)
        finally:
            self._connections.discard(connection)
            sock.close()

    def _serve_requests(self, sock: socket.socket, connection: _Connection) -> None:
        reader = protocol.RequestReader(sock)
        while (request := reader.read()) is not None:
            reply = control.handle(self, request) or handlers.handle(self._state, request)
            if isinstance(reply, handlers.WatchSpec):
                connection.watch = reply
                watching.stream(
                    sock,
                    reply,
                    self._state.objects,
                    bookmark_interval=self.bookmark_interval,
                    sent=self._event_sent,
                )
                return
            sock.sendall(reply)
            if not request.keep_alive:
                return
