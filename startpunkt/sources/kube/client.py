"""Which cluster to use, and an API client for it that is private to this app.

`kubernetes.enabled` is `auto` (use a cluster when credentials exist: an explicit
`kubernetes.kubeconfig`, the in-cluster service account, `KUBECONFIG`, or ~/.kube/config),
`true` (a cluster must be used; missing credentials are an error) or `false`. Deciding touches
only environment variables and file names, never the kubernetes package (importing it takes
about a second), so the zero-configuration start serving the bundled example stays instant.
The client's `Configuration` is built for this app alone, never the process-wide default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from startpunkt.config import KubernetesSettings

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
DEFAULT_KUBECONFIG = "~/.kube/config"


class NoCluster(Exception):
    """`kubernetes.enabled: true`, but no credentials could be found or loaded."""


@dataclass(frozen=True)
class Plan:
    """Where the credentials come from: the pod's service account, or a kubeconfig."""

    in_cluster: bool
    kubeconfig: str | None = None
    context: str | None = None

    def describe(self) -> str:
        if self.in_cluster:
            return "in-cluster service account"
        context = f", context {self.context}" if self.context else ""
        return f"kubeconfig {self.kubeconfig}{context}"


def plan(
    settings: KubernetesSettings,
    *,
    environ: Mapping[str, str] = os.environ,
    token_path: str = SERVICE_ACCOUNT_TOKEN,
) -> Plan | None:
    """The credentials to use; None when no cluster is wanted (or, on auto, none is there).

    An explicit `kubernetes.kubeconfig` wins over the service account (an operator who names a
    file means it); then the service account, then `KUBECONFIG`, then ~/.kube/config.
    """
    if settings.enabled is False:
        return None
    context = settings.context or None
    if settings.kubeconfig and (settings.enabled is True or _exists(settings.kubeconfig)):
        return Plan(False, settings.kubeconfig, context)
    if environ.get("KUBERNETES_SERVICE_HOST") and os.path.isfile(token_path):
        return Plan(True)
    for candidate in (environ.get("KUBECONFIG"), DEFAULT_KUBECONFIG):
        if candidate and _exists(candidate):
            return Plan(False, candidate, context)
    if settings.enabled is True:
        raise NoCluster(
            "kubernetes.enabled is true, but there are no credentials: no in-cluster service "
            f"account ({token_path}), no kubernetes.kubeconfig, KUBECONFIG or {DEFAULT_KUBECONFIG}"
        )
    return None


def build(chosen: Plan, *, pool_size: int) -> ApiClient:
    """An `ApiClient` for the planned credentials; raises NoCluster when they do not load.

    `pool_size` keeps one connection per concurrent watch or fetch, so none is thrown away.
    """
    import kubernetes  # about a second to import: only when a cluster is used
    import urllib3

    configuration = kubernetes.client.Configuration()
    try:
        if chosen.in_cluster:
            kubernetes.config.load_incluster_config(client_configuration=configuration)
        else:
            kubernetes.config.load_kube_config(
                config_file=chosen.kubeconfig,
                context=chosen.context,
                client_configuration=configuration,
                persist_config=False,
            )
    except Exception as exc:  # the loaders raise anything from YAML, base64, exec plugins...
        raise NoCluster(f"cannot use the {chosen.describe()}: {exc}") from exc
    # Failures are retried by the informers with backoff; urllib3 only retries a connect (and a
    # pooled connection the server closed), so a hung request is not silently waited out 4 times.
    configuration.retries = urllib3.Retry(
        total=2, connect=2, read=1, redirect=False, status=0, other=0
    )
    configuration.connection_pool_maxsize = pool_size
    return kubernetes.client.ApiClient(configuration)


def _exists(paths: str) -> bool:
    """Any file of a `KUBECONFIG`-style list (separated like PATH) exists."""
    return any(p and os.path.isfile(os.path.expanduser(p)) for p in paths.split(os.pathsep))
