"""Client, urllib3 and socket failures are translated once into what they mean."""

from __future__ import annotations

import json

import pytest
import urllib3.exceptions
from kubernetes.client import ApiException

from startpunkt.sources.kube import errors


def api_exception(status: int, message: str = "") -> ApiException:
    exc = ApiException(status=status, reason="Reason")
    exc.body = json.dumps({"kind": "Status", "message": message}) if message else None
    return exc


@pytest.mark.parametrize(
    ("status", "listing", "expected"),
    [
        (410, False, errors.Gone),
        (404, True, errors.NotInstalled),
        (404, False, errors.NotFound),
        (403, True, errors.Forbidden),
        (401, True, errors.Transient),
        (429, True, errors.Transient),
        (500, True, errors.Transient),
        (503, False, errors.Transient),
        (400, True, errors.KubeError),
    ],
)
def test_http_statuses(status, listing, expected):
    translated = errors.translate(api_exception(status, "the message"), listing=listing)
    assert type(translated) is expected
    assert translated.status == status
    assert str(translated) == f"HTTP {status}: the message"


def test_a_404_on_one_object_is_not_an_uninstalled_api():
    assert not isinstance(errors.translate(api_exception(404)), errors.NotInstalled)


def test_connection_failures_are_transient_with_the_inner_reason():
    refused = urllib3.exceptions.NewConnectionError(
        None, "Failed to establish: [Errno 111] Connection refused"
    )
    wrapped = urllib3.exceptions.MaxRetryError(None, "/apis", reason=refused)

    translated = errors.translate(wrapped)

    assert type(translated) is errors.Transient
    assert "Connection refused" in str(translated)
    assert type(errors.translate(urllib3.exceptions.ProtocolError("cut"))) is errors.Transient
    assert type(errors.translate(ConnectionResetError())) is errors.Transient
    timeout = urllib3.exceptions.ReadTimeoutError(None, "/apis", "read timed out")
    assert str(errors.translate(timeout)) == "no data within the read timeout"


def test_translated_raises_from_the_original():
    original = api_exception(410, "too old resource version: 1 (5)")
    with pytest.raises(errors.Gone) as raised, errors.translated():
        raise original
    assert raised.value.__cause__ is original


def test_translated_leaves_other_exceptions_alone():
    with pytest.raises(KeyError), errors.translated():
        raise KeyError("a bug, not an API failure")


def test_watch_error_events():
    gone = {"kind": "Status", "code": 410, "reason": "Expired", "message": "too old"}
    assert type(errors.status_event(gone)) is errors.Gone
    assert str(errors.status_event(gone)) == "HTTP 410: Expired: too old"
    assert type(errors.status_event({"code": 500})) is errors.Transient
    assert type(errors.status_event("garbage")) is errors.KubeError
