"""Which cluster is used (`kubernetes.enabled` auto/true/false), and what the app does when the
answer is "none": the zero-configuration start must be instant and serve the example."""

from __future__ import annotations

import time

import pytest

from startpunkt import create_app, runtime
from startpunkt.config import KubernetesSettings, Settings
from startpunkt.sources import kube as kube_source
from startpunkt.sources.kube import client


@pytest.fixture
def token(tmp_path):
    path = tmp_path / "token"
    path.write_text("sa-token")
    return str(path)


def plan(settings: KubernetesSettings, environ: dict, token_path: str = "/nonexistent"):
    return client.plan(settings, environ=environ, token_path=token_path)


def test_auto_with_nothing_configured_uses_no_cluster(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert plan(KubernetesSettings(), {}) is None


def test_disabled_ignores_even_present_credentials(tmp_path, token):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text("{}")
    environ = {"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBECONFIG": str(kubeconfig)}
    assert (
        plan(KubernetesSettings(enabled=False, kubeconfig=str(kubeconfig)), environ, token) is None
    )


def test_auto_finds_credentials_in_order(monkeypatch, tmp_path, token):
    monkeypatch.setenv("HOME", str(tmp_path))
    explicit, env_file = tmp_path / "explicit", tmp_path / "from-env"
    (tmp_path / ".kube").mkdir()
    home_file = tmp_path / ".kube" / "config"
    for path in (explicit, env_file, home_file):
        path.write_text("{}")
    in_pod = {"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBECONFIG": str(env_file)}
    auto = KubernetesSettings(context="lab")

    named = plan(KubernetesSettings(kubeconfig=str(explicit), context="lab"), in_pod, token)
    assert named == client.Plan(False, str(explicit), "lab")
    assert plan(auto, in_pod, token) == client.Plan(True)
    assert plan(auto, {"KUBECONFIG": f"/missing:{env_file}"}) == client.Plan(
        False, f"/missing:{env_file}", "lab"
    )
    assert plan(auto, {}) == client.Plan(False, "~/.kube/config", "lab")
    assert plan(auto, {"KUBERNETES_SERVICE_HOST": "10.0.0.1"}).in_cluster is False  # no token


def test_auto_skips_an_explicit_kubeconfig_that_does_not_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert plan(KubernetesSettings(kubeconfig=str(tmp_path / "nope")), {}) is None


def test_enabled_without_credentials_says_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(client.NoCluster, match="no in-cluster service account"):
        plan(KubernetesSettings(enabled=True), {})


def test_zero_config_start_is_instant_and_uses_no_cluster(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    app = create_app(Settings(), start=False)

    started = time.perf_counter()
    used = kube_source.init_app(app)

    assert used is False
    assert time.perf_counter() - started < 0.05
    assert runtime.get(app).cluster is None
    assert runtime.get(app).readiness.sources() == {}


def test_a_required_cluster_without_credentials_reports_why_and_keeps_serving(
    monkeypatch, tmp_path, caplog
):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    app = create_app(Settings(kubernetes=KubernetesSettings(enabled=True)), start=False)

    assert kube_source.init_app(app) is True  # so the example is not served instead
    status = runtime.get(app).readiness.sources()[kube_source.UNUSABLE]
    assert status.state == "error" and "no credentials" in status.last_error
    assert app.test_client().get("/q/health/ready").status_code == 503
    assert any(r.levelname == "ERROR" for r in caplog.records)


def test_auto_with_an_unusable_kubeconfig_warns_and_uses_no_cluster(tmp_path, caplog):
    broken = tmp_path / "config"
    broken.write_text("clusters: [\n")
    settings = Settings(kubernetes=KubernetesSettings(kubeconfig=str(broken)))
    app = create_app(settings, start=False)

    assert kube_source.init_app(app) is False
    assert any(f"kubeconfig {broken}" in r.getMessage() for r in caplog.records)


def test_the_context_setting_picks_the_cluster(kubeapi, tmp_path, start_app, kube):
    import yaml

    document = yaml.safe_load(kubeapi.kubeconfig(tmp_path / "single").read_text())
    document["contexts"].append(
        {"name": "lab", "context": {"cluster": "startpunkt-testing", "user": "startpunkt-testing"}}
    )
    document["clusters"].append({"name": "nowhere", "cluster": {"server": "http://127.0.0.1:9"}})
    document["contexts"][0]["context"]["cluster"] = "nowhere"  # current-context leads nowhere
    path = tmp_path / "two-contexts"
    path.write_text(yaml.safe_dump(document))
    kubeapi.apply(kube.ingress("plex"))
    settings = Settings(
        kubernetes=KubernetesSettings(enabled=True, kubeconfig=str(path), context="lab")
    )

    app = start_app(settings)

    assert kube.names(kube.catalog(app)) == ["plex"]
    assert kube.cluster(app).client.host == kubeapi.url


def test_tls_and_a_bearer_token_from_the_kubeconfig_are_used(tmp_path, start_app, kube):
    from testkit.kubeapi import KubeApiServer

    server = KubeApiServer(tls=True, token="s3cret", bookmark_interval=0.2).start()
    try:
        server.apply(kube.ingress("plex"))
        app = start_app(server=server)

        assert kube.names(kube.catalog(app)) == ["plex"]
        assert kube.cluster(app).client.host.startswith("https://")
        server.apply(kube.ingress("sonarr"))
        kube.wait_for(lambda: "sonarr" in kube.names(kube.catalog(app)), what="watched over TLS")
    finally:
        server.stop()
