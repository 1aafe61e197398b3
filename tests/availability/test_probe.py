"""One check of one URL against real servers: which answers count as up, and why not."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import urllib3

from startpunkt import config
from startpunkt.availability import probe
from tests.availability.conftest import Site

UP = frozenset(config.AvailabilitySettings().up_statuses)


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    manager = probe.http_pool(verify=True, size=4)
    yield manager
    manager.clear()


def check(url: str, http: urllib3.PoolManager, *, timeout: float = 3.0, up=UP) -> probe.Result:
    return probe.check(url, http=http, timeout=timeout, up_statuses=up, user_agent="startpunkt/t")


@pytest.mark.parametrize(
    ("path", "up", "reason", "status"),
    [
        ("/status/200", True, None, 200),
        ("/status/204", True, None, 204),
        ("/status/401", True, None, 401),
        ("/status/403", True, None, 403),
        ("/status/404", False, "status", 404),
        ("/status/418", False, "status", 418),
        ("/status/500", False, "status", 500),
        ("/status/503", False, "status", 503),
        ("/redirect?code=301&to=/status/200", True, None, 200),
        ("/redirect?code=302&to=/status/404", False, "status", 404),
        ("/loop", False, "redirects", 302),
        # Not followed (not http/s), so the redirect itself is the answer.
        ("/redirect?code=301&to=ftp://example.invalid/", True, None, 301),
        ("/nohead", True, None, 200),
        ("/nohead/500", False, "status", 500),
    ],
)
def test_answers(
    site: Site, http: urllib3.PoolManager, path: str, up: bool, reason: str | None, status: int
) -> None:
    result = check(site.url(path), http)
    assert (result.up, result.reason, result.status) == (up, reason, status)


def test_redirect_is_followed_to_its_target(site: Site, http: urllib3.PoolManager) -> None:
    check(site.url("/redirect?code=301&to=/status/200"), http)
    assert site.count("/status/200", "HEAD") == 1


def test_redirect_loop_stops_after_max_hops(site: Site, http: urllib3.PoolManager) -> None:
    check(site.url("/loop"), http)
    assert site.count("/loop") == probe.MAX_HOPS + 1


def test_head_first_get_only_when_head_is_refused(site: Site, http: urllib3.PoolManager) -> None:
    check(site.url("/status/200"), http)
    check(site.url("/nohead"), http)
    assert [h.method for h in site.hits if h.path == "/status/200"] == ["HEAD"]
    assert [h.method for h in site.hits if h.path == "/nohead"] == ["HEAD", "GET"]


def test_get_fallback_does_not_read_the_body(site: Site, http: urllib3.PoolManager) -> None:
    started = time.monotonic()
    result = check(site.url("/nohead/endless"), http, timeout=5.0)
    assert result.up and result.status == 200
    assert time.monotonic() - started < 1.0


def test_sends_its_user_agent(site: Site, http: urllib3.PoolManager) -> None:
    check(site.url("/status/200"), http)
    assert [h.user_agent for h in site.hits] == ["startpunkt/t"]


def test_up_statuses_are_configurable(site: Site, http: urllib3.PoolManager) -> None:
    assert check(site.url("/status/404"), http, up=frozenset({404})).up
    result = check(site.url("/status/200"), http, up=frozenset({204}))
    assert (result.up, result.reason) == (False, "status")


def test_silent_server_times_out_on_time(hang_url: str, http: urllib3.PoolManager) -> None:
    started = time.monotonic()
    result = check(hang_url + "/", http, timeout=0.5)
    elapsed = time.monotonic() - started
    assert (result.up, result.reason) == (False, "timeout")
    assert 0.4 < elapsed < 1.0


def test_timeout_is_one_deadline_for_all_hops(
    site: Site, hang_url: str, http: urllib3.PoolManager
) -> None:
    """A redirect to a silent server still ends at the deadline, not a fresh one per hop."""
    started = time.monotonic()
    result = check(site.url(f"/redirect?to={hang_url}/"), http, timeout=0.5)
    assert (result.up, result.reason) == (False, "timeout")
    assert time.monotonic() - started < 1.0


def test_closed_port_is_a_connect_failure(closed_url: str, http: urllib3.PoolManager) -> None:
    result = check(closed_url, http)
    assert (result.up, result.reason) == (False, "connect")


def test_unknown_host_is_a_dns_failure(http: urllib3.PoolManager) -> None:
    result = check("http://no-such-host.invalid/", http, timeout=5.0)
    assert (result.up, result.reason) == (False, "dns")


@pytest.mark.parametrize("url", ["ftp://example.invalid/", "javascript:alert(1)", "http://h:x/"])
def test_unusable_urls_are_down_without_a_request(url: str, http: urllib3.PoolManager) -> None:
    result = check(url, http)
    assert (result.up, result.reason) == (False, "url")
