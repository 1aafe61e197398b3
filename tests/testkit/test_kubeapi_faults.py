"""Injected failures: error statuses, cut watch connections, silent watches, counters."""

from __future__ import annotations

import time

import gevent
import kubernetes
import pytest
import urllib3

GROUP = "startpunkt.ullberg.us"


@pytest.mark.parametrize("code", [403, 500])
def test_fail_answers_a_status_until_cleared(kubeapi, networking, code):
    kubeapi.fail("ingresses", code)
    with pytest.raises(kubernetes.client.ApiException) as raised:
        networking.list_ingress_for_all_namespaces()

    kubeapi.unfail("ingresses")

    assert raised.value.status == code
    assert f'"code":{code}' in raised.value.body
    assert networking.list_ingress_for_all_namespaces().items == []
    assert kubeapi.count("list", "ingresses") == 2


def test_fail_can_target_one_verb_and_a_path_pattern(kubeapi, custom, networking):
    kubeapi.fail("/apis/hajimari.io/*", 403, verbs=["watch"])

    hajimari = ("hajimari.io", "v1alpha1", "applications")

    listed = custom.list_cluster_custom_object(*hajimari)
    with pytest.raises(kubernetes.client.ApiException) as raised:
        for _ in kubernetes.watch.Watch().stream(
            custom.list_cluster_custom_object, *hajimari, timeout_seconds=5, _request_timeout=(2, 9)
        ):
            pytest.fail("a forbidden watch streams nothing")

    assert listed["items"] == []
    assert raised.value.status == 403
    assert networking.list_ingress_for_all_namespaces().items == []  # other groups unaffected


def test_drop_watches_ends_client_streams_abruptly(kubeapi, networking, custom, once_watching):
    def drop_when_both_are_open() -> None:
        kubeapi.wait_for_watches(2)
        assert kubeapi.drop_watches() == 2

    once_watching(kubeapi, drop_when_both_are_open)
    outcomes: list[type[BaseException]] = []

    def watch(func, *args) -> None:
        try:
            for _ in kubernetes.watch.Watch().stream(
                func, *args, timeout_seconds=10, _request_timeout=(2, 15)
            ):
                pass
        except urllib3.exceptions.ProtocolError as error:
            outcomes.append(type(error))

    readers = [
        gevent.spawn(watch, networking.list_ingress_for_all_namespaces),
        gevent.spawn(watch, custom.list_cluster_custom_object, GROUP, "v1alpha4", "applications"),
    ]
    gevent.joinall(readers, timeout=8, raise_error=True)

    assert outcomes == [urllib3.exceptions.ProtocolError] * 2
    assert kubeapi.open_watches() == 0


def test_hang_sends_headers_then_nothing_until_the_client_times_out(kubeapi, networking):
    kubeapi.hang("ingresses")
    started = time.monotonic()

    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        for _ in kubernetes.watch.Watch().stream(
            networking.list_ingress_for_all_namespaces, _request_timeout=(2, 3)
        ):
            pytest.fail("a hung watch sends no event")

    assert 2.9 < time.monotonic() - started < 8
    deadline = time.monotonic() + 5
    while kubeapi.open_watches() and time.monotonic() < deadline:
        gevent.sleep(0.01)  # the server notices the client closing
    assert kubeapi.open_watches() == 0


def test_counters_separate_verbs_and_resources(kubeapi, networking, custom):
    networking.list_ingress_for_all_namespaces()
    networking.list_namespaced_ingress("default")
    custom.list_cluster_custom_object(GROUP, "v1alpha4", "applications")
    custom.list_cluster_custom_object("hajimari.io", "v1alpha1", "applications")

    assert kubeapi.count("list", "ingresses") == 2
    assert kubeapi.count("list", "ingresses.networking.k8s.io") == 2
    assert kubeapi.count("list", "applications") == 2
    assert kubeapi.count("list", f"applications.{GROUP}") == 1
    assert kubeapi.count("watch") == 0
