"""Validate Kubernetes objects against the API's OpenAPI schemas, as an API server would.

Built-in kinds (and the CustomResourceDefinitions themselves) go through kubernetes-validate in
strict mode, which also refuses unknown fields, for the oldest Kubernetes the chart supports and
the newest kubernetes-validate knows. kubernetes-validate has no schemas for other projects'
custom resources, so the chart's ServiceMonitor and OpenShift Route are checked against
`schemas/`, the fields the chart sets as those projects type them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from kubernetes_validate import utils

VERSIONS = ("1.25", "1.37")
"""The chart's kubeVersion floor and the newest schemas kubernetes-validate ships."""
SCHEMAS = Path(__file__).resolve().parent / "schemas"
CUSTOM = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SCHEMAS / "servicemonitor.json",
    ("route.openshift.io/v1", "Route"): SCHEMAS / "route.json",
}


class Invalid(Exception):
    """An object the API server would refuse; the message says where and why."""


def validate(obj: dict[str, Any], version: str) -> None:
    """Raise Invalid unless `obj` is valid for Kubernetes `version`."""
    key = (obj.get("apiVersion"), obj.get("kind"))
    name = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
    if key in CUSTOM:
        schema = json.loads(CUSTOM[key].read_text())
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(obj), key=str)
        if errors:
            where = ".".join(map(str, errors[0].absolute_path))
            raise Invalid(f"{name}: {where}: {errors[0].message}")
        return
    try:
        utils.validate(obj, version, strict=True)
    except utils.ValidationError as exc:
        where = ".".join(map(str, exc.path))
        raise Invalid(f"{name} (Kubernetes {exc.version}): {where}: {exc.message}") from None
    except utils.SchemaNotFoundError as exc:
        raise Invalid(f"{name}: no schema to validate it against ({exc.message})") from None
