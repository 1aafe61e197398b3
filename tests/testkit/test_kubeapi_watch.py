"""Watch streams as the real client consumes them: events, resume, 410, bookmarks, timeouts."""

from __future__ import annotations

import socket
import time

import kubernetes
import pytest

GROUP = "startpunkt.ullberg.us"
APPS = (GROUP, "v1alpha4", "applications")


def types(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


def test_watch_sees_added_modified_deleted(kubeapi, networking, collect, once_watching, ingress):
    once_watching(
        kubeapi,
        lambda: kubeapi.apply(ingress("web")),
        lambda: kubeapi.apply(ingress("web", host="b.example")),
        lambda: kubeapi.delete("networking.k8s.io/v1", "Ingress", "default", "web"),
    )

    events = collect(networking.list_ingress_for_all_namespaces, until=lambda e: len(e) == 3)

    assert types(events) == ["ADDED", "MODIFIED", "DELETED"]
    assert events[1]["object"].spec.rules[0].host == "b.example"
    versions = [int(e["object"].metadata.resource_version) for e in events]
    assert versions == sorted(versions) and versions[-1] == kubeapi.resource_version


def test_watch_without_version_starts_with_current_objects(kubeapi, custom, collect, application):
    kubeapi.apply(application("b"))
    kubeapi.apply(application("a"))

    events = collect(
        custom.list_cluster_custom_object,
        *APPS,
        until=lambda e: len(e) == 2,
    )

    assert types(events) == ["ADDED", "ADDED"]
    assert [e["object"]["metadata"]["name"] for e in events] == ["b", "a"]  # in version order


def test_watch_from_a_version_replays_what_followed(kubeapi, networking, collect, ingress):
    kubeapi.apply(ingress("old"))
    listed = networking.list_ingress_for_all_namespaces().metadata.resource_version
    kubeapi.apply(ingress("new"))
    kubeapi.delete("networking.k8s.io/v1", "ingresses", "default", "old")

    events = collect(
        networking.list_ingress_for_all_namespaces,
        resource_version=listed,
        until=lambda e: len(e) == 2,
    )

    assert [(e["type"], e["object"].metadata.name) for e in events] == [
        ("ADDED", "new"),
        ("DELETED", "old"),
    ]


def test_watch_from_a_future_version_waits_for_it(
    kubeapi, networking, collect, once_watching, ingress
):
    future = kubeapi.resource_version + 1
    once_watching(
        kubeapi,
        lambda: kubeapi.apply(ingress("reaches-the-version")),
        lambda: kubeapi.apply(ingress("passes-it")),
    )

    events = collect(
        networking.list_ingress_for_all_namespaces,
        resource_version=str(future),
        until=lambda e: len(e) == 1,
    )

    assert events[0]["object"].metadata.name == "passes-it"


def test_namespaced_watch_sees_only_its_namespace(
    kubeapi, networking, collect, once_watching, ingress
):
    once_watching(
        kubeapi,
        lambda: kubeapi.apply(ingress("elsewhere", "other")),
        lambda: kubeapi.apply(ingress("here", "mine")),
    )

    events = collect(networking.list_namespaced_ingress, "mine", until=lambda e: len(e) == 1)

    assert events[0]["object"].metadata.name == "here"


def test_compacted_version_raises_410(kubeapi, networking, ingress):
    kubeapi.apply(ingress("a"))
    listed = networking.list_ingress_for_all_namespaces().metadata.resource_version
    kubeapi.apply(ingress("b"))
    kubeapi.compact()

    with pytest.raises(kubernetes.client.ApiException) as raised:
        for _ in kubernetes.watch.Watch().stream(
            networking.list_ingress_for_all_namespaces,
            resource_version=listed,
            timeout_seconds=5,
            _request_timeout=(2, 10),
        ):
            pytest.fail("no event may arrive before the 410")

    assert raised.value.status == 410
    assert "Expired" in raised.value.reason and "too old resource version" in raised.value.reason


def test_client_retries_a_410_once_when_no_timeout_is_given(kubeapi, networking, ingress):
    kubeapi.apply(ingress("a"))
    kubeapi.apply(ingress("b"))
    kubeapi.compact()

    with pytest.raises(kubernetes.client.ApiException) as raised:
        for _ in kubernetes.watch.Watch().stream(
            networking.list_ingress_for_all_namespaces,
            resource_version="1",
            _request_timeout=(2, 10),
        ):
            pytest.fail("no event may arrive before the 410")

    assert raised.value.status == 410
    assert kubeapi.count("watch", "ingresses") == 2


def test_bookmarks_arrive_when_allowed(kubeapi, custom, collect, application):
    kubeapi.apply(application("a"))
    kubeapi.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "unrelated"}})

    events = collect(
        custom.list_cluster_custom_object,
        *APPS,
        allow_watch_bookmarks=True,
        until=lambda e: e[-1]["type"] == "BOOKMARK",
    )

    bookmark = events[-1]["object"]
    assert types(events) == ["ADDED", "BOOKMARK"]
    assert bookmark == {
        "kind": "Application",
        "apiVersion": f"{GROUP}/v1alpha4",
        "metadata": {"resourceVersion": "2"},  # the newest version, whatever kind it touched
    }


def test_timeout_seconds_ends_the_stream_cleanly(kubeapi, networking):
    started = time.monotonic()
    watch = kubernetes.watch.Watch()

    events = list(
        watch.stream(
            networking.list_ingress_for_all_namespaces, timeout_seconds=1, _request_timeout=(2, 5)
        )
    )

    assert events == []
    assert 0.9 < time.monotonic() - started < 5
    assert kubeapi.open_watches() == 0


def test_watch_headers_arrive_before_any_event(kubeapi, custom):
    """Bug: gevent's pywsgi holds headers until the first chunk; an idle watch looked dead."""
    custom.list_cluster_custom_object(GROUP, "v1alpha4", "bookmarks")  # warm the client up
    started = time.monotonic()
    response = custom.list_cluster_custom_object(
        GROUP, "v1alpha4", "bookmarks", watch=True, _preload_content=False, _request_timeout=(2, 3)
    )
    elapsed = time.monotonic() - started
    response.close()
    response.release_conn()

    assert response.status == 200
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert elapsed < 2.5  # without flushed headers this raises a read timeout after 3 s


def test_raw_watch_stream_is_chunked_json_lines(kubeapi, application):
    kubeapi.apply(application("a"))
    request = f"GET /apis/{GROUP}/v1alpha4/applications?watch=1 HTTP/1.1\r\nHost: x\r\n\r\n"

    with socket.create_connection(("127.0.0.1", kubeapi.port), timeout=3) as sock:
        sock.sendall(request.encode())
        received = b""
        while b'"ADDED"' not in received or not received.endswith(b"\r\n"):
            data = sock.recv(65536)
            assert data, f"connection closed after {received!r}"
            received += data

    head, body = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK")
    size, line = body.split(b"\r\n", 1)
    assert int(size, 16) == len(line) - 2
    assert line.startswith(b'{"type":"ADDED","object":{') and line.endswith(b"}\n\r\n")


def test_the_time_of_each_event_write_is_recorded(kubeapi, custom, collect, application):
    # Benchmarks time a change from the moment the server wrote it to the watch.
    assert kubeapi.last_event_sent is None
    before = time.time()
    kubeapi.apply(application("a"))
    collect(custom.list_cluster_custom_object, *APPS, until=lambda e: len(e) == 1)
    sent = kubeapi.last_event_sent
    assert sent is not None and before <= sent <= time.time()

    events = collect(
        custom.list_cluster_custom_object,
        *APPS,
        resource_version=str(kubeapi.resource_version),
        allow_watch_bookmarks=True,
        until=lambda e: e and e[-1]["type"] == "BOOKMARK",
    )
    assert types(events) == ["BOOKMARK"]
    assert kubeapi.last_event_sent == sent  # a bookmark alone is not an event
