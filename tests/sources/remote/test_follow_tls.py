"""An instance served over HTTPS: its certificate checked against `caFile` (or the system's
CAs), or not at all with `ignoreCertificates`; a refused certificate says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.kubeapi import certs


@pytest.fixture(scope="module")
def tls() -> certs.Certificates:
    return certs.generate()


def test_a_private_ca_verifies_the_remote(remote, tls, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(tls.ca_pem)
    scripted = remote.Scripted(applications=[{"id": "a", "name": "A", "group": "G"}])
    served = remote.serve(scripted, ssl_context=tls.server_context())
    assert served.url.startswith("https://")
    remote.synced(remote.follow(served.url, caFile=str(ca)))
    assert remote.ids() == ["west:a"]


def test_an_unknown_certificate_is_refused(remote, tls) -> None:
    served = remote.serve(remote.Scripted(), ssl_context=tls.server_context())
    west = remote.follow(served.url)
    remote.wait_for(lambda: remote.readiness.sources()[west.name].state == "error", timeout=5)
    assert "TLS failed" in remote.readiness.sources()[west.name].last_error


def test_ignore_certificates_accepts_any_and_says_so_once(remote, tls, caplog) -> None:
    caplog.set_level("WARNING")
    served = remote.serve(remote.Scripted(), ssl_context=tls.server_context())
    remote.synced(remote.follow(served.url, ignoreCertificates=True))
    said = [r for r in caplog.records if "not verified" in r.getMessage()]
    assert len(said) == 1
    assert not [r for r in caplog.records if "InsecureRequestWarning" in r.getMessage()]
