"""urlFrom targets read from the cluster: one GET each, at the path API discovery gives.

The resolver (`startpunkt.sources.resolver`) decides what to read and when, and follows the
answers; this is its lookup for the cluster. A kind's plural comes from discovery, never from
"kind + s". What the cluster answers becomes a `Read`: the object, none (404), or why not (the
version is not served; forbidden, naming the RBAC rule that is missing); a failure worth trying
again raises `Unreadable`, so the last good read is kept meanwhile.
"""

from __future__ import annotations

from startpunkt import quoting
from startpunkt.sources import resolver
from startpunkt.sources.kube import api, discovery, errors
from startpunkt.sources.kube.timing import Timing


class ApiLookup:
    """Reads one urlFrom target with a GET, its plural found (and cached) through discovery."""

    def __init__(self, client: api.Api, *, timing: Timing) -> None:
        self._client = client
        self._read_timeout = timing.request_timeout
        self._plurals = discovery.Plurals(
            client,
            ttl=timing.discovery_ttl,
            retry=timing.absent_retry,
            read_timeout=timing.request_timeout,
        )

    def __call__(self, target: resolver.Target) -> resolver.Read:
        group, kind, namespace, name = target.id
        version = target.version
        served = None
        try:
            served = self._plurals.lookup(group, version, kind)
            if served is None:
                group_version = f"{group}/{version}" if group else version
                return resolver.Read(None, f"the cluster serves no {kind} in {group_version}")
            path = api.object_path(
                group, version, served.plural, namespace if served.namespaced else None, name
            )
            return resolver.Read(self._client.get(path, read_timeout=self._read_timeout))
        except errors.NotFound:
            return resolver.Read(None)
        except errors.Forbidden:
            rule = f"get on {served.plural if served else kind} in apiGroup {quoting.quote(group)}"
            return resolver.Read(None, f"forbidden to read {target.id} (RBAC needs {rule})")
        except errors.KubeError as exc:
            raise resolver.Unreadable(str(exc)) from exc
