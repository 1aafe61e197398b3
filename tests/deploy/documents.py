"""Paths and YAML loading shared by the deploy tests.

Kept apart from the tests so each test file reads as a list of claims about deploy/, not as
file handling.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

# libyaml's loader when PyYAML was built with it: the pure-Python one is ~10x slower.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CRDS = DEPLOY / "crds"
MANIFESTS = DEPLOY / "manifests"
CHART = DEPLOY / "chart" / "startpunkt"
EXAMPLES = REPO / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

Doc = dict[str, Any]


def yaml_files(root: Path) -> list[Path]:
    """Every .yaml/.yml file under root, sorted, so parametrized ids are stable."""
    return sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def load_documents(path: Path) -> list[Doc]:
    """All non-empty documents of a (multi-document) YAML file (a fresh copy each call)."""
    return copy.deepcopy(_parsed(path.resolve()))


def parse_documents(text: str) -> list[Doc]:
    """All non-empty documents of YAML text."""
    return [doc for doc in yaml.load_all(text, Loader=_LOADER) if doc is not None]


@functools.cache
def _parsed(path: Path) -> list[Doc]:
    return parse_documents(path.read_text(encoding="utf-8"))


def load_one(path: Path) -> Doc:
    """The single document of a YAML file."""
    docs = load_documents(path)
    assert len(docs) == 1, f"{path}: expected one document, found {len(docs)}"
    return docs[0]


def objects_in(root: Path, *, recursive: bool = True) -> list[Doc]:
    """Every document in the YAML files under root (top level only unless recursive)."""
    files = yaml_files(root) if recursive else sorted(root.glob("*.y*ml"))
    return [doc for path in files for doc in load_documents(path)]


def the_object(docs: list[Doc], kind: str) -> Doc:
    """The one object of a kind among docs."""
    found = [doc for doc in docs if doc.get("kind") == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def crd(name: str) -> Doc:
    """A CustomResourceDefinition from deploy/crds by its metadata.name."""
    return load_one(CRDS / f"{name}.yaml")


def rel(path: Path) -> str:
    """A path relative to the repository, for readable test ids."""
    return str(path.relative_to(REPO))


def rbac_grants(role: Doc) -> dict[tuple[str, str], set[str]]:
    """(apiGroup, resource) -> verbs of a ClusterRole; any other rule key fails the test."""
    found: dict[tuple[str, str], set[str]] = {}
    for rule in role["rules"]:
        assert set(rule) == {"apiGroups", "resources", "verbs"}, f"unexpected rule keys: {rule}"
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                found.setdefault((group, resource), set()).update(rule["verbs"])
    return found
