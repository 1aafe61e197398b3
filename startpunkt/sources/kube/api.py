"""GET requests to the API server through the official client, answered as plain dicts.

Every request goes through the `ApiClient` built from the kubeconfig or service account (auth,
TLS, token refresh), but skips its typed models: those are slow to build, drop fields they do
not know, and mappers want plain dicts anyway. One generic GET covers the core group (`/api/v1`,
for urlFrom's Services) as well as named groups and discovery documents. Errors come out
translated (`errors.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import gevent
import urllib3.exceptions
from kubernetes import client as k8s
from urllib3.response import BaseHTTPResponse

from startpunkt.sources.kube import errors

Query = Sequence[tuple[str, str | int | bool]]

KILL_WAIT = 1.0
"""Seconds `Api.kill` waits for a greenlet to get past its request (a connect takes ms)."""


def collection_path(group: str, version: str, plural: str, namespace: str | None = None) -> str:
    """`/apis/networking.k8s.io/v1/namespaces/ns/ingresses` (or `/api/v1/...` for the core)."""
    root = f"/apis/{group}/{version}" if group else f"/api/{version}"
    return f"{root}/namespaces/{namespace}/{plural}" if namespace else f"{root}/{plural}"


def object_path(group: str, version: str, plural: str, namespace: str | None, name: str) -> str:
    return f"{collection_path(group, version, plural, namespace)}/{name}"


def resources_path(group: str, version: str) -> str:
    """The discovery document listing a group/version's resources."""
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


class Api:
    """The few requests startpunkt makes: GET a document, or stream a watch's events."""

    def __init__(self, api_client: k8s.ApiClient, *, connect_timeout: float) -> None:
        self.client = api_client
        self._connect_timeout = connect_timeout
        self._requesting: set[gevent.Greenlet] = set()

    @property
    def host(self) -> str:
        return str(self.client.configuration.host)

    def get(
        self, path: str, *, query: Query = (), read_timeout: float, listing: bool = False
    ) -> dict[str, Any]:
        """The JSON document at `path`; `listing` makes a 404 mean "API not installed"."""
        with errors.translated(listing=listing):
            response = self._request(path, query, read_timeout)
            try:
                data = response.data
            finally:
                response.release_conn()
            if not 200 <= response.status <= 299:
                raise k8s.ApiException(http_resp=response)
        try:
            document = json.loads(data)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested past ~1,000 levels
            raise errors.KubeError(f"GET {path}: the answer is not JSON I can read") from exc
        if not isinstance(document, dict):
            raise errors.KubeError(f"GET {path}: the answer is not a JSON object")
        return document

    def watch(self, path: str, *, query: Query, read_timeout: float) -> Iterator[dict[str, Any]]:
        """The events of a watch request, one dict per line, until the server ends the stream.

        Breaking off (a cut connection, silence past `read_timeout`) raises `Interrupted`; an
        error answer before the stream starts raises what it means. Closing the generator, or
        killing the greenlet reading it, closes the connection.
        """
        with errors.translated(listing=True):
            response = self._request(path, (*query, ("watch", True)), read_timeout)
            if not 200 <= response.status <= 299:
                try:
                    _ = response.data  # read and kept, for the exception's message
                finally:
                    response.release_conn()
                raise k8s.ApiException(http_resp=response)
        try:
            for line in _lines(response):
                try:
                    event = json.loads(line)
                except (ValueError, RecursionError) as exc:
                    raise errors.Interrupted(f"a watch line is not JSON: {line[:200]!r}") from exc
                if isinstance(event, dict):
                    yield event
        except errors.KubeError:
            raise
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise errors.Silent(f"nothing for {read_timeout:g}s") from exc
        except (k8s.ApiException, OSError, urllib3.exceptions.HTTPError) as exc:
            raise errors.Interrupted(str(errors.translate(exc))) from exc
        finally:
            response.close()
            response.release_conn()

    def close(self) -> None:
        self.client.close()

    def kill(self, greenlets: Iterable[gevent.Greenlet | None]) -> None:
        """Kill greenlets using this client, but none while it is sending a request.

        urllib3 closes a socket whose connect fails with an `OSError`, but not one whose
        greenlet is killed mid-connect: that socket would linger until garbage collection.
        So each greenlet is killed once it is past its request (reading an answer, or
        sleeping), waiting at most `KILL_WAIT`.
        """
        for greenlet in filter(None, greenlets):
            deadline = gevent.get_hub().loop.now() + KILL_WAIT
            while greenlet in self._requesting and gevent.get_hub().loop.now() < deadline:
                gevent.sleep(0.005)
            greenlet.kill()  # no yield since the check: it is not inside a request now

    def _request(self, path: str, query: Query, read_timeout: float) -> BaseHTTPResponse:
        """Send one GET with both timeouts; the raw urllib3 response, body not yet read."""
        current = gevent.getcurrent()
        self._requesting.add(current)
        try:
            return self._send(path, query, read_timeout)
        finally:
            self._requesting.discard(current)

    def _send(self, path: str, query: Query, read_timeout: float) -> BaseHTTPResponse:
        method, url, headers, body, post = self.client.param_serialize(
            method="GET",
            resource_path=path,
            query_params=list(query),
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        rest_response = self.client.call_api(
            method,
            url,
            headers,
            body,
            post,
            _request_timeout=(self._connect_timeout, read_timeout),
        )
        return rest_response.response


def _lines(response: BaseHTTPResponse) -> Iterator[bytes]:
    """Complete non-empty lines of a chunked body, as they arrive."""
    pending = b""
    for chunk in response.stream(amt=None, decode_content=False):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            if line.strip():
                yield line
    if pending.strip():
        yield pending
