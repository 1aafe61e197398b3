"""Writes the kubeconfig file that points a real kubernetes client at the fake API server.

The CA is embedded (certificate-authority-data), so the file is self-contained; it is written
to a temporary name and renamed, so a process polling for it never reads half a file.
"""

from __future__ import annotations

import base64
import os
import pathlib

import yaml

NAME = "startpunkt-testing"


def document(
    server: str, *, ca_pem: bytes | None, token: str | None, insecure: bool = False
) -> dict:
    """The kubeconfig as a dict: one cluster, one user, one current context."""
    cluster: dict[str, object] = {"server": server}
    if insecure:
        cluster["insecure-skip-tls-verify"] = True
    elif ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": NAME, "cluster": cluster}],
        "users": [{"name": NAME, "user": {"token": token} if token else {}}],
        "contexts": [
            {"name": NAME, "context": {"cluster": NAME, "user": NAME, "namespace": "default"}}
        ],
        "current-context": NAME,
        "preferences": {},
    }


def write(path: str | os.PathLike[str], config: dict) -> pathlib.Path:
    """Write atomically; returns the path."""
    target = pathlib.Path(path)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(yaml.safe_dump(config, sort_keys=False))
    partial.replace(target)
    return target
