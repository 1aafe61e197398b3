"""Accept failures for want of descriptors: counted, and one WARNING per interval.

tests/live/test_load_open_files.py shows it under gunicorn with a real open-file limit.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator

import gevent
import pytest
from gevent.server import StreamServer
from prometheus_client import REGISTRY

from startpunkt import accepting

EMFILE = OSError(errno.EMFILE, "Too many open files")


def failed(reason: str) -> float:
    value = REGISTRY.get_sample_value("startpunkt_accept_errors_total", {"reason": reason})
    return value or 0.0


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == accepting.__name__]


def test_one_warning_per_interval_counts_the_failures_between(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    throttle = accepting.Throttle(clock=lambda: now[0])
    before = failed("EMFILE")
    for _ in range(5):
        throttle.failed(EMFILE)
        now[0] += 1.0
    assert len(warnings(caplog)) == 1
    now[0] += accepting.INTERVAL
    throttle.failed(EMFILE)
    first, second = warnings(caplog)
    assert "(EMFILE)" in first and "files it may open in use" in first
    assert "since the last report: 1;" in first and "since the last report: 5;" in second
    assert failed("EMFILE") == before + 6


def test_enfile_names_the_system_table(caplog: pytest.LogCaptureFixture) -> None:
    accepting.Throttle().failed(OSError(errno.ENFILE, "Too many open files in system"))
    assert "the system's open-file table is full (ENFILE)" in warnings(caplog)[0]


@pytest.fixture
def server() -> Iterator[StreamServer]:
    server = StreamServer(("127.0.0.1", 0), handle=lambda *args: None)
    yield server
    server.close()


def test_only_a_servers_out_of_descriptor_errors_are_taken(server: StreamServer) -> None:
    assert accepting.out_of_descriptors(server, EMFILE) is EMFILE
    assert accepting.out_of_descriptors(server, OSError(errno.ECONNABORTED, "aborted")) is None
    assert accepting.out_of_descriptors(None, EMFILE) is None  # not a server's accept
    assert accepting.out_of_descriptors(server, ValueError("bug")) is None


def test_the_hub_hands_them_to_the_throttle_and_the_rest_on(
    server: StreamServer, caplog: pytest.LogCaptureFixture
) -> None:
    hub = gevent.get_hub()
    gevent.sleep(0)  # the hub runs, and the loop reports errors to it from then on
    seen: list[object] = []
    hub.handle_error = lambda context, *exc: seen.append(exc[1])  # stands for gevent's printing
    try:
        accepting.install(hub)
        # The call gevent's server makes when its accept fails (BaseServer._do_read).
        hub.loop.handle_error(server, OSError, EMFILE, None)
        other = OSError(errno.ECONNABORTED, "aborted")
        hub.loop.handle_error(server, OSError, other, None)
    finally:
        del hub.handle_error  # the class's again
    assert seen == [other]
    assert len(warnings(caplog)) == 1
