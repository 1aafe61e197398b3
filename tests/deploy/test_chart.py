"""The Helm chart (deploy/chart/startpunkt), checked without helm.

Static checks (Chart.yaml, values referenced, CRDs copied) plus a render of the templates with
gotemplate.py, whose output must parse and match the plain manifests: both install paths give
the same pod, the same grants and the same configuration.
"""

from __future__ import annotations

import filecmp
import re
from typing import Any

import pytest
import yaml

from . import documents, gotemplate

CHART = documents.CHART
TEMPLATES = sorted((CHART / "templates").iterdir())
VALUE_REFERENCE = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def _values(**overrides: Any) -> dict[str, Any]:
    """values.yaml, with top-level sections updated (one level deep)."""
    values = documents.load_one(CHART / "values.yaml")
    for key, change in overrides.items():
        values[key] = {**values[key], **change} if isinstance(change, dict) else change
    return values


def _render(**overrides: Any) -> list[dict[str, Any]]:
    """Objects of `helm template startpunkt deploy/chart/startpunkt -n startpunkt`."""
    rendered = gotemplate.Chart(CHART, _values(**overrides)).render()
    return [
        doc
        for name, text in rendered.items()
        if name.endswith(".yaml")
        for doc in documents.parse_documents(text)
    ]


def _plain() -> list[dict[str, Any]]:
    return documents.objects_in(documents.MANIFESTS, recursive=False)


def test_chart_yaml() -> None:
    chart = documents.load_one(CHART / "Chart.yaml")
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "startpunkt" == CHART.name
    assert chart["type"] == "application"
    assert re.fullmatch(r"\d+\.\d+\.\d+", chart["version"])
    assert isinstance(chart["appVersion"], str)


def test_values_defaults() -> None:
    values = _values()
    assert values["ingress"]["enabled"] is False
    assert values["ingress"]["annotations"] == {
        "nginx.ingress.kubernetes.io/proxy-buffering": "off",
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
        "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
    }
    assert values["terminationGracePeriodSeconds"] > 30


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_reads_only_existing_values(path: Any) -> None:
    values = _values()
    for match in VALUE_REFERENCE.finditer(path.read_text(encoding="utf-8")):
        node: Any = values
        for key in match.group(1).strip(".").split("."):
            assert isinstance(node, dict) and key in node, f".Values{match.group(1)} not defined"
            node = node[key]


def test_crds_are_the_same_files_as_deploy_crds() -> None:
    names = sorted(p.name for p in documents.CRDS.iterdir())
    assert sorted(p.name for p in (CHART / "crds").iterdir()) == names
    same, different, unreadable = filecmp.cmpfiles(
        documents.CRDS, CHART / "crds", names, shallow=False
    )
    assert (same, different, unreadable) == (names, [], [])


def test_templates_render_to_the_expected_objects() -> None:
    found = sorted((o["kind"], o["metadata"]["name"]) for o in _render())
    assert found == [
        ("ClusterRole", "startpunkt"),
        ("ClusterRoleBinding", "startpunkt"),
        ("ConfigMap", "startpunkt-config"),
        ("Deployment", "startpunkt"),
        ("Service", "startpunkt"),
        ("ServiceAccount", "startpunkt"),
    ]
    assert all(o["metadata"].get("namespace") in {None, "startpunkt"} for o in _render())


def test_switches_remove_objects() -> None:
    kinds = {o["kind"] for o in _render(rbac={"create": False}, serviceAccount={"create": False})}
    assert kinds == {"ConfigMap", "Deployment", "Service"}
    pod = documents.the_object(_render(serviceAccount={"create": False}), "Deployment")
    assert pod["spec"]["template"]["spec"]["serviceAccountName"] == "default"


def test_release_names_prefix_cluster_wide_objects() -> None:
    """Two releases must not fight over one ClusterRole."""
    values = _values()
    rendered = gotemplate.Chart(CHART, values, release="home", namespace="tools").render()
    role = yaml.safe_load(rendered["templates/clusterrole.yaml"])
    binding = yaml.safe_load(rendered["templates/clusterrolebinding.yaml"])
    assert role["metadata"]["name"] == "home-startpunkt"
    assert binding["subjects"][0] == {
        "kind": "ServiceAccount",
        "name": "home-startpunkt",
        "namespace": "tools",
    }


def test_chart_grants_what_the_plain_manifests_grant() -> None:
    chart = documents.rbac_grants(documents.the_object(_render(), "ClusterRole"))
    assert chart == documents.rbac_grants(documents.the_object(_plain(), "ClusterRole"))


def test_chart_config_is_the_plain_config() -> None:
    rendered = documents.the_object(_render(), "ConfigMap")["data"]["application.yaml"]
    plain = documents.the_object(_plain(), "ConfigMap")["data"]["application.yaml"]
    assert yaml.safe_load(rendered) == yaml.safe_load(plain)


def test_chart_pod_is_the_plain_pod() -> None:
    """Same container, probes, security and volumes; only labels and annotations differ."""
    chart = documents.the_object(_render(), "Deployment")["spec"]["template"]["spec"]
    plain = documents.the_object(_plain(), "Deployment")["spec"]["template"]["spec"]
    assert chart == plain


def test_config_checksum_follows_the_config() -> None:
    def checksum(**overrides: Any) -> str:
        deployment = documents.the_object(_render(**overrides), "Deployment")
        return deployment["spec"]["template"]["metadata"]["annotations"]["checksum/config"]

    config = _values()["config"]
    changed = {"startpunkt": {**config["startpunkt"], "defaultProtocol": "https"}}
    assert checksum() != checksum(config=changed)


def test_ingress_when_enabled() -> None:
    objects = _render(ingress={"enabled": True})
    ingress = documents.the_object(objects, "Ingress")
    assert ingress["metadata"]["annotations"] == _values()["ingress"]["annotations"]
    assert ingress["spec"]["ingressClassName"] == "nginx"
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "startpunkt.example.com"
    backend = rule["http"]["paths"][0]["backend"]["service"]
    service = documents.the_object(objects, "Service")
    assert backend == {"name": service["metadata"]["name"], "port": {"name": "http"}}


def test_extra_env_is_appended() -> None:
    extra = [{"name": "STARTPUNKT_REALTIME_HEARTBEATINTERVAL", "value": "15s"}]
    deployment = documents.the_object(_render(extraEnv=extra), "Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["env"][-1] == extra[0]
    assert container["env"][0]["name"] == "STARTPUNKT_CONFIG"


def test_remote_tokens_come_from_secrets_as_files_or_variables() -> None:
    tokens = [
        {"name": "west", "secretName": "west-token"},
        {"name": "east", "secretName": "east-token", "key": "bearer", "env": "EAST_TOKEN"},
    ]
    deployment = documents.the_object(_render(remoteTokens=tokens), "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["env"][-1] == {
        "name": "EAST_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "east-token", "key": "bearer"}},
    }
    assert container["volumeMounts"][-1] == {
        "name": "remote-token-west",
        "mountPath": "/var/run/secrets/startpunkt/remotes/west",
        "readOnly": True,
    }
    assert pod["volumes"][-1] == {
        "name": "remote-token-west",
        "secret": {"secretName": "west-token", "items": [{"key": "token", "path": "token"}]},
    }
    assert [v["name"] for v in pod["volumes"]].count("remote-token-east") == 0


def test_renderer_follows_go_template_rules() -> None:
    """Trimming, else-if, with, range over lists and maps, variables, pipelines."""
    source = (
        "a {{- if .no }}X{{ else if .yes }} b{{ end -}} \n"
        "{{ with .m }}{{ .k }}{{ end }},{{ range .l }}[{{ . }}]{{ end }},"
        "{{ range .m }}{{ . }}{{ end }},{{ $x := .s }}{{ $x | trunc 2 | quote }},"
        '{{ .missing }}|{{ default "d" .missing }}|{{ .yes }}'
    )
    dot = {"no": 0, "yes": True, "m": {"k": "v", "a": "w"}, "l": [1, 2], "s": "abc"}
    assert gotemplate.render_string(source, dot) == "a b" + 'v,[1][2],wv,"ab",|d|true'


def test_renderer_models_the_sprig_functions_the_chart_uses() -> None:
    """and/or return an operand as in Go; dig, hasKey, join, splitList, int, gt, niladic list."""
    source = (
        '{{ and 1 "" 3 }}|{{ or 0 "" "x" }}|{{ gt (int "3") 1 }}|{{ gt 1 2 }}|'
        '{{ dig "a" "b" "none" .m }}|{{ dig "a" "z" "none" .m }}|{{ hasKey .m "a" }}|'
        '{{ join "," (.l | default list) }}|{{ join "," (.missing | default list) }}|'
        '{{ range splitList "," "x,y" }}[{{ . }}]{{ end }}'
    )
    dot = {"m": {"a": {"b": "deep"}}, "l": ["p", "q"]}
    assert gotemplate.render_string(source, dot) == "|x|true|false|deep|none|true|p,q||[x][y]"


@pytest.mark.parametrize(
    "source",
    [
        '{{ gt "1" 2 }}',
        "{{ hasKey .a 1 }}",
        "{{ trunc 3 }}",
        '{{ lookup "v1" "Secret" "" "" }}',
        "{{ if .a }}x",
        "{{ end }}",
        "{{ tpl . }}",
        "{{ x",
        "{{ .missing.field }}",
        "{{ (.a }}",
    ],
)
def test_renderer_refuses_what_it_does_not_model(source: str) -> None:
    """The render tests mean something only if unknown constructs fail instead of vanishing."""
    with pytest.raises(gotemplate.TemplateError):
        gotemplate.render_string(source, {"a": 1})


def test_url_from_config_maps_value_adds_get_on_config_maps_only() -> None:
    """Off by default; `urlFrom.configMaps: true` grants `get` on ConfigMaps, nothing more."""
    default = documents.rbac_grants(documents.the_object(_render(), "ClusterRole"))
    assert ("", "configmaps") not in default
    opted = documents.rbac_grants(
        documents.the_object(_render(urlFrom={"configMaps": True}), "ClusterRole")
    )
    assert opted.pop(("", "configmaps")) == {"get"}
    assert opted == default
    assert ("", "secrets") not in opted
