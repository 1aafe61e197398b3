"""Stop/start on the same port, TLS with a bearer token, and the in-process precondition."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import kubernetes
import pytest
import urllib3

from testkit.kubeapi import KubeApiServer, certs

INGRESS = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"}}


def test_stop_and_start_again_on_the_same_port_keeps_objects(kubeapi, networking):
    kubeapi.apply(INGRESS)
    port = kubeapi.port

    kubeapi.stop()
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        networking.list_ingress_for_all_namespaces(_request_timeout=(1, 1))
    kubeapi.start()
    listed = networking.list_ingress_for_all_namespaces()

    assert kubeapi.port == port
    assert [i.metadata.name for i in listed.items] == ["web"]


def test_stop_cuts_open_watches(kubeapi, networking, once_watching):
    once_watching(kubeapi, kubeapi.stop)

    with pytest.raises(urllib3.exceptions.ProtocolError):
        for _ in kubernetes.watch.Watch().stream(
            networking.list_ingress_for_all_namespaces, timeout_seconds=5, _request_timeout=(2, 9)
        ):
            pass


@pytest.fixture(scope="module", params=["cryptography", "openssl"])
def certificates(request) -> certs.Certificates:
    """Certificates from each available backend, made once per module."""
    if request.param == "cryptography" and not certs.have_cryptography():
        pytest.skip("cryptography is not installed")
    if request.param == "openssl" and shutil.which("openssl") is None:
        pytest.skip("no openssl command")
    return certs.generate(use_openssl=request.param == "openssl")


@pytest.fixture
def tls_server(certificates):
    with KubeApiServer(tls=certificates, token="s3cret") as server:
        yield server


def test_tls_with_token(tls_server, make_client):
    networking = kubernetes.client.NetworkingV1Api(make_client(tls_server))
    tls_server.apply(INGRESS)

    listed = networking.list_ingress_for_all_namespaces()

    assert tls_server.url.startswith("https://127.0.0.1:")
    assert [i.metadata.name for i in listed.items] == ["web"]


def test_tls_watch_streams_events(tls_server, make_client, once_watching, collect):
    networking = kubernetes.client.NetworkingV1Api(make_client(tls_server))
    once_watching(tls_server, lambda: tls_server.apply(INGRESS))

    events = collect(networking.list_ingress_for_all_namespaces, until=lambda e: len(e) == 1)

    assert events[0]["type"] == "ADDED"
    assert events[0]["object"].metadata.name == "web"


def test_tls_without_token_is_401(tls_server, make_client):
    client = make_client(tls_server)
    client.configuration.api_key = {}

    with pytest.raises(kubernetes.client.ApiException) as raised:
        kubernetes.client.NetworkingV1Api(client).list_ingress_for_all_namespaces()

    assert raised.value.status == 401
    assert '"reason":"Unauthorized"' in raised.value.body


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_insecure_kubeconfig_skips_verification(make_client):
    with KubeApiServer(tls=True) as server:
        client = make_client(server, insecure=True)
        listed = kubernetes.client.NetworkingV1Api(client).list_ingress_for_all_namespaces()

    assert client.configuration.verify_ssl is False
    assert listed.items == []


def test_an_unpatched_process_is_told_to_use_the_subprocess():
    code = "from testkit.kubeapi import KubeApiServer; KubeApiServer().start()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=pathlib.Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "python -m testkit.kubeapi" in result.stderr
