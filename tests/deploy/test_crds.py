"""The CRDs in deploy/crds: well-formed, the schemas SPEC 2.4 gives, and what they admit.

Objects are admitted with the model in structural.py (prune, then validate), the way the API
server does it; see that module for what is and is not modelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from . import documents, structural

APPLICATIONS = "applications.startpunkt.ullberg.us"
BOOKMARKS = "bookmarks.startpunkt.ullberg.us"
VERSIONS = ["v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4"]
STORAGE = "v1alpha4"
KINDS = {APPLICATIONS: "Application", BOOKMARKS: "Bookmark"}

# SPEC 2.4, field by field: v1alpha4 has everything; each older version lacks what came later.
APP_V4_FIELDS = {
    "name": "string",
    "group": "string",
    "icon": "string",
    "iconColor": "string",
    "url": "string",
    "urlFrom": "object",
    "info": "string",
    "targetBlank": "boolean",
    "location": "integer",
    "enabled": "boolean",
    "rootPath": "string",
    "tags": "string",
}
APP_ABSENT = {
    "v1alpha4": set(),
    "v1alpha3": {"urlFrom"},
    "v1alpha2": {"urlFrom", "tags"},
    "v1alpha1": {"urlFrom", "tags", "rootPath"},
}
APP_REQUIRED = {
    "v1alpha4": {"name"},
    "v1alpha3": {"name", "url"},
    "v1alpha2": {"name", "url"},
    "v1alpha1": {"name", "url"},
}
URL_FROM_FIELDS = {
    "apiVersion",
    "kind",
    "name",
    "property",
    "namespace",
    "apiGroup",
    "urlTemplate",
}
URL_FROM_REQUIRED = {"apiVersion", "kind", "name", "property"}
BOOKMARK_FIELDS = {
    "name": "string",
    "group": "string",
    "icon": "string",
    "url": "string",
    "info": "string",
    "targetBlank": "boolean",
    "location": "integer",
}
BOOKMARK_REQUIRED = {"name", "group", "url"}


def _spec_schema(crd_name: str, version: str) -> dict[str, Any]:
    root = structural.version_schema(documents.crd(crd_name), version)
    return root["properties"]["spec"]


def _crds_by_group_kind() -> dict[tuple[str, str], dict[str, Any]]:
    """Our CRDs plus the Hajimari fixture, keyed by (group, kind)."""
    crds = documents.objects_in(documents.CRDS)
    crds += documents.load_documents(documents.FIXTURES / "hajimari-crds.yaml")
    return {(c["spec"]["group"], c["spec"]["names"]["kind"]): c for c in crds}


def _admit(obj: dict[str, Any]) -> structural.Outcome:
    group, version = obj["apiVersion"].split("/")
    crd = _crds_by_group_kind()[(group, obj["kind"])]
    return structural.admit(structural.version_schema(crd, version), obj)


def _fixture_ids(docs: list[dict[str, Any]]) -> list[str]:
    return [f"{d['apiVersion'].split('/')[1]}-{d['kind']}-{d['metadata']['name']}" for d in docs]


@pytest.mark.parametrize("name", [APPLICATIONS, BOOKMARKS])
def test_crd_is_one_the_api_server_accepts(name: str) -> None:
    assert structural.check_crd(documents.crd(name)) == []


@pytest.mark.parametrize("name", [APPLICATIONS, BOOKMARKS])
def test_serves_four_versions_and_stores_v1alpha4(name: str) -> None:
    versions = documents.crd(name)["spec"]["versions"]
    assert sorted(v["name"] for v in versions) == VERSIONS
    assert all(v["served"] is True for v in versions)
    assert [v["name"] for v in versions if v["storage"]] == [STORAGE]


@pytest.mark.parametrize("name", [APPLICATIONS, BOOKMARKS])
def test_keeps_the_reference_layout(name: str) -> None:
    """Group, names, scope and the status subresource as the reference CRDs had them."""
    crd = documents.crd(name)
    plural = name.split(".")[0]
    assert crd["spec"]["group"] == "startpunkt.ullberg.us"
    assert crd["spec"]["scope"] == "Namespaced"
    assert crd["spec"]["names"]["plural"] == plural
    assert crd["spec"]["names"]["kind"] == KINDS[name]
    assert crd["spec"]["conversion"]["strategy"] == "None"
    for version in crd["spec"]["versions"]:
        assert version["subresources"] == {"status": {}}
        assert version.get("deprecated", False) is (version["name"] != STORAGE)


@pytest.mark.parametrize("version", VERSIONS)
def test_application_fields_per_version(version: str) -> None:
    spec = _spec_schema(APPLICATIONS, version)
    expected = {f: t for f, t in APP_V4_FIELDS.items() if f not in APP_ABSENT[version]}
    assert {f: s["type"] for f, s in spec["properties"].items()} == expected
    assert set(spec["required"]) == APP_REQUIRED[version]


def test_url_from_fields() -> None:
    url_from = _spec_schema(APPLICATIONS, "v1alpha4")["properties"]["urlFrom"]
    assert set(url_from["properties"]) == URL_FROM_FIELDS
    assert {s["type"] for s in url_from["properties"].values()} == {"string"}
    assert set(url_from["required"]) == URL_FROM_REQUIRED


@pytest.mark.parametrize("version", VERSIONS)
def test_bookmark_fields_per_version(version: str) -> None:
    spec = _spec_schema(BOOKMARKS, version)
    assert {f: s["type"] for f, s in spec["properties"].items()} == BOOKMARK_FIELDS
    assert set(spec["required"]) == BOOKMARK_REQUIRED


def test_v1alpha3_has_no_url_from_so_the_server_prunes_it() -> None:
    """A structural schema prunes unknown fields rather than failing validation on them.

    The honest claims: urlFrom is not in v1alpha3's schema; a client without strict field
    validation gets the object stored without urlFrom; `kubectl apply` (strict) is refused.
    """
    assert "urlFrom" not in _spec_schema(APPLICATIONS, "v1alpha3")["properties"]
    obj = {
        "apiVersion": "startpunkt.ullberg.us/v1alpha3",
        "kind": "Application",
        "metadata": {"name": "web"},
        "spec": {"name": "Web", "url": "https://web.example.com", "urlFrom": {"kind": "Service"}},
    }
    outcome = _admit(obj)
    assert outcome.unknown == ("spec.urlFrom",)
    assert outcome.accepted(strict=False)
    assert outcome.stored["spec"] == {"name": "Web", "url": "https://web.example.com"}
    assert not outcome.accepted(strict=True)


def test_v1alpha4_without_name_is_rejected() -> None:
    obj = {
        "apiVersion": "startpunkt.ullberg.us/v1alpha4",
        "kind": "Application",
        "metadata": {"name": "nameless"},
        "spec": {"url": "https://example.com"},
    }
    assert _admit(obj).errors == ("spec.name: Required value",)


def test_v1alpha4_with_text_location_is_rejected() -> None:
    obj = {
        "apiVersion": "startpunkt.ullberg.us/v1alpha4",
        "kind": "Application",
        "metadata": {"name": "text-location"},
        "spec": {"name": "App", "location": "abc"},
    }
    outcome = _admit(obj)
    assert outcome.errors == ("spec.location: must be of type integer, got str",)
    assert not outcome.accepted(strict=False)


ACCEPTED = documents.load_documents(documents.FIXTURES / "accepted.yaml")
REJECTED = documents.load_documents(documents.FIXTURES / "rejected.yaml")


@pytest.mark.parametrize("obj", ACCEPTED, ids=_fixture_ids(ACCEPTED))
def test_accepted_fixture(obj: dict[str, Any]) -> None:
    outcome = _admit(obj)
    assert outcome.errors == ()
    assert outcome.unknown == ()
    assert outcome.stored == obj, "nothing pruned from a valid object"


def test_accepted_fixtures_cover_every_served_version() -> None:
    seen = {(d["apiVersion"], d["kind"]) for d in ACCEPTED}
    for kind in ("Application", "Bookmark"):
        for version in VERSIONS:
            assert (f"startpunkt.ullberg.us/{version}", kind) in seen


@pytest.mark.parametrize("obj", REJECTED, ids=_fixture_ids(REJECTED))
def test_rejected_fixture(obj: dict[str, Any]) -> None:
    annotations = obj["metadata"]["annotations"]
    field, reason = annotations["test.startpunkt/error"], annotations["test.startpunkt/reason"]
    outcome = _admit(obj)
    assert not outcome.accepted(strict=True)
    if reason == "unknown-field":
        assert outcome.unknown == (field,)
        assert outcome.errors == ()
        assert field.split(".")[-1] not in outcome.stored["spec"], "pruned when not strict"
    else:
        assert reason == "invalid"
        assert [e.split(":")[0] for e in outcome.errors] == [field]


def _example_resources(root: Path) -> list[tuple[str, dict[str, Any]]]:
    """Application/Bookmark documents of startpunkt or Hajimari in the YAML files under root."""
    found = []
    for path in documents.yaml_files(root):
        for doc in documents.load_documents(path):
            if not isinstance(doc, dict) or doc.get("kind") not in {"Application", "Bookmark"}:
                continue
            group = str(doc.get("apiVersion", "")).split("/")[0]
            if group in {"startpunkt.ullberg.us", "hajimari.io"}:
                found.append((path.name, doc))
    return found


def _refusals(resources: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Why a cluster with these CRDs would refuse each resource it refuses.

    Startpunkt objects get strict field validation (as with `kubectl apply`). Hajimari objects
    are checked without it: Hajimari forks differ in optional fields, which their servers prune.
    """
    refusals = []
    for path, doc in resources:
        label = f"{path} {doc['apiVersion']} {doc['kind']} {doc.get('metadata', {}).get('name')}"
        try:
            outcome = _admit(doc)
        except (KeyError, ValueError):
            refusals.append(f"{label}: no CRD serves this apiVersion")
            continue
        strict = doc["apiVersion"].startswith("startpunkt.ullberg.us/")
        if not outcome.accepted(strict=strict):
            refusals.append(f"{label}: {outcome.errors + outcome.unknown}")
    return refusals


def test_example_resources_are_admitted() -> None:
    """Every custom object in examples/ would be accepted by a cluster with these CRDs."""
    if not documents.EXAMPLES.is_dir():
        pytest.skip("no examples/ directory (yet)")
    resources = _example_resources(documents.EXAMPLES)
    if not resources:
        pytest.skip("no Application/Bookmark documents under examples/ (yet)")
    assert _refusals(resources) == []


def test_example_check_reports_what_a_cluster_refuses(tmp_path: Path) -> None:
    """The examples check above can fail: here on a made-up examples directory."""
    (tmp_path / "apps.yaml").write_text(
        "apiVersion: startpunkt.ullberg.us/v1alpha4\nkind: Application\n"
        "metadata: {name: ok}\nspec: {name: OK, url: 'https://ok.example'}\n---\n"
        "apiVersion: startpunkt.ullberg.us/v1alpha3\nkind: Application\n"
        "metadata: {name: old}\nspec: {name: Old, url: 'https://x', urlFrom: {kind: Service}}\n"
        "---\napiVersion: startpunkt.ullberg.us/v1beta1\nkind: Bookmark\n"
        "metadata: {name: future}\nspec: {name: F, group: G, url: 'https://x'}\n---\n"
        "apiVersion: hajimari.io/v1alpha1\nkind: Application\n"
        "metadata: {name: haji}\nspec: {name: H, group: G, url: 'https://h', enabled: true}\n"
        "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: skipped}\n",
        encoding="utf-8",
    )
    resources = _example_resources(tmp_path)
    assert [doc["metadata"]["name"] for _, doc in resources] == ["ok", "old", "future", "haji"]
    assert _refusals(resources) == [
        "apps.yaml startpunkt.ullberg.us/v1alpha3 Application old: ('spec.urlFrom',)",
        "apps.yaml startpunkt.ullberg.us/v1beta1 Bookmark future: no CRD serves this apiVersion",
    ]
