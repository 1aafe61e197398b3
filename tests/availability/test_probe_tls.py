"""Probes of a self-signed HTTPS server, with and without `ignoreCertificates`."""

from __future__ import annotations

from startpunkt import config
from startpunkt.availability import probe
from tests.availability.conftest import Site

UP = frozenset(config.AvailabilitySettings().up_statuses)


def check(url: str, *, verify: bool) -> probe.Result:
    http = probe.http_pool(verify=verify, size=2)
    try:
        return probe.check(url, http=http, timeout=3.0, up_statuses=UP, user_agent="t")
    finally:
        http.clear()


def test_self_signed_certificate_is_down_when_verifying(tls_site: Site) -> None:
    result = check(tls_site.url("/status/200"), verify=True)
    assert (result.up, result.reason) == (False, "tls")
    assert tls_site.hits == []


def test_self_signed_certificate_is_up_when_ignoring_certificates(tls_site: Site) -> None:
    """Also proves no InsecureRequestWarning is raised (warnings are errors in tests)."""
    result = check(tls_site.url("/status/200"), verify=False)
    assert (result.up, result.status) == (True, 200)
    assert [h.method for h in tls_site.hits] == ["HEAD"]


def test_ignoring_certificates_still_judges_the_status(tls_site: Site) -> None:
    result = check(tls_site.url("/status/500"), verify=False)
    assert (result.up, result.reason) == (False, "status")
