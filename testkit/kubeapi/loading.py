"""Reads a directory of YAML manifests into the fake API server (the CLI's `--load DIR`).

CustomResourceDefinitions register their served versions first, so a directory may hold both
the CRDs of `deploy/` and objects of those kinds; objects of kinds nobody serves are skipped.
"""

from __future__ import annotations

import logging
import os
import pathlib
from collections.abc import Iterator
from typing import Any

import yaml

from testkit.kubeapi import registry

logger = logging.getLogger(__name__)

CRD_KIND = ("apiextensions.k8s.io", "CustomResourceDefinition")


def documents(directory: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Every object (apiVersion and kind set) in *.yaml/*.yml/*.json under directory, sorted."""
    root = pathlib.Path(directory)
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    for path in files:
        try:
            parsed = list(yaml.safe_load_all(path.read_text()))
        except yaml.YAMLError as error:  # a Helm template, say: not a manifest
            logger.warning("skipped %s: not YAML (%s)", path, str(error).splitlines()[0])
            continue
        # Chart.yaml, values.yaml and the like are YAML but not objects.
        yield from (d for d in parsed if isinstance(d, dict) and "apiVersion" in d and "kind" in d)


def is_crd(document: dict[str, Any]) -> bool:
    group, _ = registry.split_api_version(str(document.get("apiVersion", "")))
    return (group, document.get("kind")) == CRD_KIND


def crd_types(crd: dict[str, Any]) -> list[registry.ResourceType]:
    """The served versions of a CustomResourceDefinition as resource types."""
    spec = crd["spec"]
    names = spec["names"]
    return [
        registry.ResourceType(
            spec["group"],
            version["name"],
            names["plural"],
            names["kind"],
            namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        )
        for version in spec["versions"]
        if version.get("served", True)
    ]
