"""Which peers may say who the client is: the proxies gunicorn trusts.

The per-client stream cap counts connections per client address. Behind a proxy every client
arrives from the proxy's address, and only `X-Forwarded-For` tells them apart; but anyone can
send that header. So it is believed only from the peers gunicorn believes forwarding headers
from, its `forwarded_allow_ips` (`--forwarded-allow-ips` or `FORWARDED_ALLOW_IPS`, default
`127.0.0.1,::1`; addresses, networks such as `10.0.0.0/8`, or `*` for every peer): one setting
for every header a proxy adds. The development server reads the same variable.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable

DEFAULT = "127.0.0.1,::1"
"""gunicorn's default: only a proxy on the same host is trusted."""
MAX_ADDRESS = 64
"""Characters kept of an address from the header (longer ones are not addresses anyway)."""
MAX_REMEMBERED = 4096
"""Addresses whose trust is remembered: the same proxies ask for every stream they forward."""


class Proxies:
    """A set of trusted proxy addresses and networks."""

    def __init__(self, entries: Iterable[str]) -> None:
        entries = [e.strip() for e in entries if e.strip()]
        self.everyone = "*" in entries
        self._networks = [ipaddress.ip_network(e) for e in entries if e != "*"]
        self._known: dict[str, bool] = {}

    @classmethod
    def from_environment(cls) -> Proxies:
        """What gunicorn would trust by default: `FORWARDED_ALLOW_IPS`, else `127.0.0.1,::1`."""
        value = os.environ.get("FORWARDED_ALLOW_IPS", DEFAULT)
        try:
            return cls(value.split(","))
        except ValueError as exc:
            raise ValueError(f"FORWARDED_ALLOW_IPS: {exc}") from None

    def trusts(self, peer: str | None) -> bool:
        """Whether `peer` may set `X-Forwarded-For`.

        A peer without an IP address is a Unix socket, reachable only from this host: trusted,
        as gunicorn does.
        """
        if self.everyone or not peer:
            return True
        known = self._known.get(peer)
        if known is None:
            if len(self._known) >= MAX_REMEMBERED:
                self._known.clear()
            known = self._known[peer] = self._check(peer)
        return known

    def _check(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self._networks)


def client_address(forwarded_for: str, peer: str | None, trusted: Proxies | None) -> str:
    """The address the per-client cap counts: the peer's, unless the peer is a trusted proxy.

    The one rule for every way a stream opens (the view, `early`).

    Then it is the nearest `X-Forwarded-For` entry that is not itself a trusted proxy (each
    proxy appends the address it saw, so entries further left were written by whoever the
    nearest untrusted hop was, and may be forged). A client can therefore forge only entries
    that are never read.
    """
    address = peer or ""
    if not forwarded_for or trusted is None or not trusted.trusts(peer):
        return address or "unknown"
    for entry in reversed(forwarded_for.split(",")):
        entry = entry.strip()[:MAX_ADDRESS]
        if entry:
            address = entry
            if not trusted.trusts(entry):
                break
    return address or "unknown"
