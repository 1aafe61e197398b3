"""Whose address the per-client stream cap counts: the peer's, or what a trusted proxy says.

Issue 12, finding 3: `X-Forwarded-For` was believed from anyone, so one client could give each
of its streams another address and hold every stream of the process.
"""

from __future__ import annotations

import pytest

from startpunkt.web import proxies
from startpunkt.web.proxies import Proxies, client_address

LOCAL = Proxies(proxies.DEFAULT.split(","))
"""gunicorn's default: a proxy on the same host."""
CLUSTER = Proxies(["10.0.0.0/8", "fd00::/8"])


@pytest.mark.parametrize(
    ("forwarded_for", "peer", "trusted", "expected"),
    [
        ("", "203.0.113.7", LOCAL, "203.0.113.7"),  # no proxy, no header
        ("198.51.100.1", "203.0.113.7", LOCAL, "203.0.113.7"),  # forged: not read
        ("198.51.100.1", "127.0.0.1", LOCAL, "198.51.100.1"),  # the trusted proxy's word
        ("198.51.100.1", "::1", LOCAL, "198.51.100.1"),
        ("", "127.0.0.1", LOCAL, "127.0.0.1"),  # a trusted peer that forwards nothing
        # Each proxy appends what it saw: the nearest entry that is not a trusted proxy counts,
        # whatever the client wrote further left.
        ("6.6.6.6, 198.51.100.1, 10.1.2.3", "10.9.9.9", CLUSTER, "198.51.100.1"),
        ("198.51.100.1,10.1.2.3", "10.9.9.9", CLUSTER, "198.51.100.1"),
        ("10.1.1.1, 10.1.2.3", "10.9.9.9", CLUSTER, "10.1.1.1"),  # all trusted: the first
        ("198.51.100.1, not-an-address", "10.9.9.9", CLUSTER, "not-an-address"),
        ("2001:db8::5", "fd00::1", CLUSTER, "2001:db8::5"),
        ("198.51.100.1", "11.0.0.1", CLUSTER, "11.0.0.1"),
        ("198.51.100.1", "10.0.0.1", None, "10.0.0.1"),  # nobody trusted
        ("6.6.6.6, 198.51.100.1", "203.0.113.7", Proxies(["*"]), "6.6.6.6"),  # everyone is
        ("198.51.100.1", "", LOCAL, "198.51.100.1"),  # a Unix socket: only a local proxy
        ("", None, LOCAL, "unknown"),
    ],
)
def test_client_address(
    forwarded_for: str, peer: str | None, trusted: Proxies | None, expected: str
) -> None:
    assert client_address(forwarded_for, peer, trusted) == expected


def test_an_entry_is_bounded() -> None:
    assert client_address("x" * 10_000, "127.0.0.1", LOCAL) == "x" * proxies.MAX_ADDRESS


def test_remembered_trust_is_bounded() -> None:
    trusted = Proxies(["10.0.0.0/8"])
    for i in range(proxies.MAX_REMEMBERED + 10):
        assert trusted.trusts(f"10.0.{i // 256}.{i % 256}")
    assert len(trusted._known) <= proxies.MAX_REMEMBERED


def test_the_development_server_reads_gunicorns_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert Proxies.from_environment().trusts("127.0.0.1")
    assert not Proxies.from_environment().trusts("10.0.0.1")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.0/8, 192.168.1.1")
    assert Proxies.from_environment().trusts("10.0.0.1")
    assert not Proxies.from_environment().trusts("127.0.0.1")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.1/8")  # host bits set: gunicorn refuses it
    with pytest.raises(ValueError, match="FORWARDED_ALLOW_IPS"):
        Proxies.from_environment()
