"""The admission model in structural.py does what the API server does, on small cases.

The CRD tests are only as good as this model, so its rules are pinned here one by one, and its
verdicts are cross-checked with the `jsonschema` package when that is installed.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import documents, structural

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "count": {"type": "integer"},
                "flag": {"type": "boolean"},
                "note": {"type": "string", "nullable": True},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "items": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"id": {"type": "integer"}}},
                },
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            },
        },
        "status": {"type": "object"},
    },
}


def _obj(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "x.example/v1", "kind": "X", "metadata": {"name": "x"}, "spec": spec}


def test_valid_object_is_stored_unchanged() -> None:
    obj = _obj({"name": "a", "count": 3, "labels": {"k": "v"}, "items": [{"id": 1}]})
    outcome = structural.admit(SCHEMA, obj)
    assert (outcome.errors, outcome.unknown, outcome.stored) == ((), (), obj)


def test_unknown_fields_are_pruned_at_every_depth() -> None:
    obj = _obj({"name": "a", "extra": 1, "items": [{"id": 1, "deep": True}]})
    obj["status"] = {"anything": "goes away: status declares no properties"}
    outcome = structural.admit(SCHEMA, obj)
    assert outcome.unknown == ("spec.extra", "spec.items[0].deep", "status.anything")
    assert outcome.stored["spec"] == {"name": "a", "items": [{"id": 1}]}
    assert outcome.accepted(strict=False) and not outcome.accepted(strict=True)


def test_preserve_unknown_fields_keeps_a_subtree() -> None:
    obj = _obj({"name": "a", "free": {"x": {"y": [1, 2]}}})
    outcome = structural.admit(SCHEMA, obj)
    assert outcome.unknown == () and outcome.stored == obj


def test_metadata_is_never_pruned_but_needs_a_name() -> None:
    obj = _obj({"name": "a"})
    obj["metadata"] = {"name": "x", "labels": {"a": "b"}, "annotations": {"c": "d"}}
    assert structural.admit(SCHEMA, obj).stored["metadata"] == obj["metadata"]
    obj["metadata"] = {"labels": {"a": "b"}}
    assert structural.admit(SCHEMA, obj).errors == (
        "metadata.name: Required value: name or generateName is required",
    )


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("count", 1, True),
        ("count", 2.0, True),  # JSON has one number type; an integral value is an integer
        ("count", 2.5, False),
        ("count", "1", False),
        ("count", True, False),  # a bool is not an integer, although Python says so
        ("flag", False, True),
        ("flag", "false", False),
        ("flag", 0, False),
        ("name", 5, False),
    ],
)
def test_types(field: str, value: Any, ok: bool) -> None:
    spec = {"name": "a", field: value}
    outcome = structural.admit(SCHEMA, _obj(spec))
    assert outcome.accepted(strict=True) is ok
    if not ok:
        assert outcome.errors[0].startswith(f"spec.{field}: must be of type")


def test_nulls_in_non_nullable_fields_are_dropped_then_required_applies() -> None:
    dropped = structural.admit(SCHEMA, _obj({"name": "a", "count": None}))
    assert dropped.accepted(strict=True) and "count" not in dropped.stored["spec"]
    kept = structural.admit(SCHEMA, _obj({"name": "a", "note": None}))
    assert kept.accepted(strict=True) and kept.stored["spec"]["note"] is None
    missing = structural.admit(SCHEMA, _obj({"name": None}))
    assert missing.errors == ("spec.name: Required value",)


def test_additional_properties_types_each_value() -> None:
    outcome = structural.admit(SCHEMA, _obj({"name": "a", "labels": {"k": 1}}))
    assert outcome.errors == ("spec.labels.k: must be of type string, got int",)


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "object", "properties": {"a": {"description": "no type"}}}, "missing type"),
        ({"type": "object", "require": ["a"]}, "unsupported keyword 'require'"),
        ({"type": "object", "properties": {"a": {"type": "str"}}}, "unknown type 'str'"),
        ({"type": "string", "properties": {"a": {"type": "string"}}}, "non-object"),
        ({"type": "array"}, "array without items"),
        ({"type": "object", "required": ["a"]}, "required field 'a' is not a property"),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": {"type": "string"},
            },
            "mutually exclusive",
        ),
        ({"type": "object", "x-kubernetes-preserve-unknown-fields": False}, "must be true"),
        ({"type": "object", "properties": {"a": {"type": "integer", "minimum": 1}}}, "minimum"),
    ],
)
def test_check_structural_finds(schema: dict[str, Any], problem: str) -> None:
    problems = structural.check_structural(schema)
    assert any(problem in p for p in problems), problems


def test_check_crd_finds_a_broken_definition() -> None:
    crd = documents.crd("bookmarks.startpunkt.ullberg.us")
    crd["metadata"]["name"] = "bookmark.startpunkt.ullberg.us"
    for version in crd["spec"]["versions"]:
        version["storage"] = True
    crd["spec"]["versions"][0]["additionalPrinterColumns"].append(
        {"name": "Bad", "type": "string", "jsonPath": ".spec.nope"}
    )
    problems = structural.check_crd(crd)
    assert "metadata.name must be <plural>.<group>" in problems
    assert "exactly one version must have storage: true" in problems
    assert any(".spec.nope is not in the schema" in p for p in problems)


def _as_json_schema(schema: Any) -> Any:
    """The plain JSON Schema equivalent: without Kubernetes extensions and nullable."""
    if isinstance(schema, dict):
        return {
            k: _as_json_schema(v)
            for k, v in schema.items()
            if not k.startswith("x-kubernetes-") and k != "nullable"
        }
    return schema


def test_verdicts_agree_with_jsonschema() -> None:
    """Without strict field validation both must accept and reject the same fixtures.

    Plain JSON Schema ignores unknown properties, which matches pruning's verdict; it also
    rejects nulls that the API server drops, so the fixtures with a null are left out.
    """
    jsonschema = pytest.importorskip("jsonschema")
    crds = documents.objects_in(documents.CRDS)
    crds += documents.load_documents(documents.FIXTURES / "hajimari-crds.yaml")
    by_group_kind = {(c["spec"]["group"], c["spec"]["names"]["kind"]): c for c in crds}
    fixtures = documents.load_documents(documents.FIXTURES / "accepted.yaml")
    fixtures += documents.load_documents(documents.FIXTURES / "rejected.yaml")
    compared = 0
    for obj in fixtures:
        if None in obj["spec"].values():
            continue
        group, version = obj["apiVersion"].split("/")
        schema = structural.version_schema(by_group_kind[(group, obj["kind"])], version)
        ours = structural.admit(schema, obj).accepted(strict=False)
        theirs = jsonschema.Draft4Validator(_as_json_schema(schema)).is_valid(obj)
        assert ours == theirs, obj["metadata"]["name"]
        compared += 1
    assert compared >= 20
