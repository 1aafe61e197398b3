"""A small model of how the API server admits a custom object under a CRD's structural schema.

No API server runs in these tests. This follows the steps apiextensions-apiserver applies on
create/update, for the OpenAPI v3 subset CRDs use: unknown fields are pruned (or, with strict
field validation, the default of `kubectl apply`, rejected), nulls in non-nullable fields are
dropped, then types and required fields are validated. `check_structural` refuses any keyword
this model does not implement, so a schema can never rely on a rule checked here by nobody.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

Schema = dict[str, Any]

# What admit() implements, plus description. Anything else in a schema is reported.
KEYWORDS = frozenset(
    {
        "type",
        "description",
        "properties",
        "required",
        "items",
        "additionalProperties",
        "nullable",
        "enum",
        "x-kubernetes-preserve-unknown-fields",
    }
)
TYPES = frozenset({"object", "array", "string", "integer", "number", "boolean"})
# The API server always knows these at the root, whether the schema lists them or not.
ROOT_FIELDS = frozenset({"apiVersion", "kind", "metadata"})


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What the API server would do with one object."""

    errors: tuple[str, ...]  # "path: reason", each one rejects the request
    unknown: tuple[str, ...]  # paths of fields not in the schema (pruned, or strict errors)
    stored: Any  # the object as it would be stored after pruning

    def accepted(self, *, strict: bool) -> bool:
        """True if the request succeeds; strict = fieldValidation=Strict (kubectl's default)."""
        return not self.errors and not (strict and self.unknown)


def check_structural(schema: Schema, path: str = "openAPIV3Schema") -> list[str]:
    """Reasons the schema is not structural (or uses a keyword outside the modelled subset)."""
    problems = [f"{path}: unsupported keyword {key!r}" for key in schema if key not in KEYWORDS]
    preserve = schema.get("x-kubernetes-preserve-unknown-fields")
    if preserve is not None and preserve is not True:
        problems.append(f"{path}: x-kubernetes-preserve-unknown-fields must be true if set")
    kind = schema.get("type")
    if kind is None and not preserve:
        problems.append(f"{path}: missing type")
    elif kind is not None and kind not in TYPES:
        problems.append(f"{path}: unknown type {kind!r}")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    if (properties or extra is not None) and kind != "object":
        problems.append(f"{path}: properties on a non-object")
    if properties and extra is not None:
        problems.append(f"{path}: properties and additionalProperties are mutually exclusive")
    if extra is not None and not isinstance(extra, dict):
        problems.append(f"{path}: additionalProperties must be a schema")
    for name in schema.get("required", []):
        if name not in properties:
            problems.append(f"{path}: required field {name!r} is not a property")
    if kind == "array" and "items" not in schema:
        problems.append(f"{path}: array without items")
    if "items" in schema and kind != "array":
        problems.append(f"{path}: items on a non-array")
    for name, sub in properties.items():
        problems += check_structural(sub, f"{path}.properties.{name}")
    if isinstance(extra, dict):
        problems += check_structural(extra, f"{path}.additionalProperties")
    if isinstance(schema.get("items"), dict):
        problems += check_structural(schema["items"], f"{path}.items")
    return problems


def check_crd(crd: dict[str, Any]) -> list[str]:
    """Reasons the API server would refuse this CustomResourceDefinition."""
    spec, names = crd["spec"], crd["spec"]["names"]
    problems: list[str] = []
    if crd.get("apiVersion") != "apiextensions.k8s.io/v1":
        problems.append("apiVersion must be apiextensions.k8s.io/v1 (v1beta1 is gone)")
    if crd["metadata"]["name"] != f"{names['plural']}.{spec['group']}":
        problems.append("metadata.name must be <plural>.<group>")
    if spec.get("scope") not in {"Namespaced", "Cluster"}:
        problems.append("scope must be Namespaced or Cluster")
    if not names.get("kind") or names.get("singular", "") != names.get("singular", "").lower():
        problems.append("names needs a kind and a lower-case singular")
    versions = spec["versions"]
    if len({v["name"] for v in versions}) != len(versions):
        problems.append("version names must be unique")
    if sum(1 for v in versions if v.get("storage") is True) != 1:
        problems.append("exactly one version must have storage: true")
    for version in versions:
        where = f"versions[{version['name']}]"
        if not isinstance(version.get("served"), bool):
            problems.append(f"{where}.served must be a boolean")
        schema = version.get("schema", {}).get("openAPIV3Schema")
        if schema is None:
            problems.append(f"{where}: apiextensions.k8s.io/v1 needs a schema per version")
            continue
        if schema.get("type") != "object":
            problems.append(f"{where}: the root schema must be of type object")
        problems += [f"{where}: {p}" for p in check_structural(schema)]
        problems += [f"{where}: {p}" for p in _check_columns(version, schema)]
        unknown_subresources = set(version.get("subresources", {})) - {"status", "scale"}
        if unknown_subresources:
            problems.append(f"{where}: unknown subresources {sorted(unknown_subresources)}")
    return problems


def _check_columns(version: dict[str, Any], schema: Schema) -> list[str]:
    """Printer columns need a known type and a jsonPath that exists in the schema."""
    problems = []
    for column in version.get("additionalPrinterColumns", []):
        if column.get("type") not in {"integer", "number", "string", "boolean", "date"}:
            problems.append(f"column {column.get('name')}: bad type {column.get('type')!r}")
        path = column.get("jsonPath", "")
        if not path.startswith("."):
            problems.append(f"column {column.get('name')}: jsonPath must start with '.'")
        elif not path.startswith(".metadata."):
            node: Schema | None = schema
            for part in path[1:].split("."):
                node = (node or {}).get("properties", {}).get(part)
            if node is None:
                problems.append(f"column {column.get('name')}: {path} is not in the schema")
    return problems


def admit(schema: Schema, obj: dict[str, Any]) -> Outcome:
    """Prune, then validate, one object against a version's openAPIV3Schema."""
    stored = copy.deepcopy(obj)
    unknown: list[str] = []
    _prune(schema, stored, path="", unknown=unknown, root=True)
    errors = _validate(schema, stored, path="")
    errors += _validate_metadata(stored.get("metadata"))
    return Outcome(errors=tuple(errors), unknown=tuple(unknown), stored=stored)


def version_schema(crd: dict[str, Any], version: str) -> Schema:
    """The openAPIV3Schema of one served version of a CRD."""
    for entry in crd["spec"]["versions"]:
        if entry["name"] == version:
            return entry["schema"]["openAPIV3Schema"]
    raise KeyError(f"{crd['metadata']['name']} does not serve {version}")


def _join(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else key


def _prune(
    schema: Schema, value: Any, *, path: str, unknown: list[str], root: bool = False
) -> None:
    """Drop unknown fields and non-nullable nulls in place, recording unknown paths."""
    if isinstance(value, dict) and schema.get("type", "object") == "object":
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        preserve = schema.get("x-kubernetes-preserve-unknown-fields", False)
        for key in list(value):
            sub = properties.get(key, extra if isinstance(extra, dict) else None)
            if root and key in ROOT_FIELDS and key not in properties:
                continue  # metadata is ObjectMeta, validated by the server's own rules
            if sub is None:
                if not preserve:
                    unknown.append(_join(path, key))
                    del value[key]
                continue
            if value[key] is None and not sub.get("nullable", False):
                del value[key]  # PruneNonNullableNullsWithoutDefaults
                continue
            if root and key == "metadata":
                continue
            _prune(sub, value[key], path=_join(path, key), unknown=unknown)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            _prune(schema["items"], item, path=_join(path, index), unknown=unknown)


def _type_ok(kind: str | None, value: Any) -> bool:
    if kind is None:
        return True
    if kind == "integer":
        integral_float = isinstance(value, float) and value.is_integer()
        return (isinstance(value, int) and not isinstance(value, bool)) or integral_float
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    expected = {"object": dict, "array": list, "string": str, "boolean": bool}[kind]
    return isinstance(value, expected)


def _validate(schema: Schema, value: Any, *, path: str) -> list[str]:
    """Type, enum and required errors of an already pruned value."""
    where = path or "<root>"
    if value is None:
        return [] if schema.get("nullable") else [f"{where}: must not be null"]
    if not _type_ok(schema.get("type"), value):
        return [f"{where}: must be of type {schema['type']}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: must be one of {schema['enum']}"]
    errors: list[str] = []
    if isinstance(value, dict):
        errors += [
            f"{_join(path, n)}: Required value"
            for n in schema.get("required", [])
            if n not in value
        ]
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None and not (path == "" and key == "metadata"):
                errors += _validate(sub, item, path=_join(path, key))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            errors += _validate(schema["items"], item, path=_join(path, index))
    return errors


def _validate_metadata(metadata: Any) -> list[str]:
    """The part of ObjectMeta validation that fixtures can get wrong: a name is needed."""
    if not isinstance(metadata, dict):
        return ["metadata: Required value"]
    if not (metadata.get("name") or metadata.get("generateName")):
        return ["metadata.name: Required value: name or generateName is required"]
    return []
