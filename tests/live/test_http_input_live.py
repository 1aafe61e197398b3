"""Hostile HTTP bytes against gunicorn: what a test client cannot send, answered with a 4xx.

Raw non-ASCII and control bytes in the request line, URLs past gunicorn's 4,094-byte line
limit (a tag path of 10,000 commas among them), 10,000 ETags in one header, a header without a
colon, an unknown method with a body: each gets an answer below 500 (gunicorn's own 400/414/431
for what it refuses to parse), the worker keeps answering, and no traceback is logged. The
Flask side of the same inputs, rule by rule, is tests/web/test_http_input.py.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from testkit.live import Server, get_json

REQUESTS = [
    b"GET /api/apps/\xff\xfe\x80 HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /api/i8n/日本語 HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
    b"GET /api/apps/\x00\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/apps/" + b"," * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/apps HTTP/1.1\r\nHost: x\r\nIf-None-Match: "
    + b", ".join(b'"%d"' % i for i in range(10_000))
    + b"\r\n\r\n",
    b"GET /api/apps HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    b"BREW /api/apps HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"GET /api/updates/stream HTTP/1.1\r\nHost: x\r\nLast-Event-ID: " + b"9" * 8000 + b"\r\n\r\n",
    b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /static/../../app.py HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/apps HTTP/9.9\r\nHost: x\r\n\r\n",
]


def status_of(port: int, raw: bytes) -> int:
    """The status code of the answer to `raw` (0 when the server just closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        head = b""
        while b"\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                return 0
            head += chunk
    return int(head.split(b" ", 2)[1])


def test_hostile_bytes_get_a_4xx_and_the_worker_keeps_answering(
    serve: Callable[..., Server],
) -> None:
    server = serve()
    (worker,) = server.worker_pids()
    statuses = {}
    for raw in REQUESTS:
        statuses[raw[:40]] = status = status_of(server.port, raw)
        stream = raw.startswith(b"GET /api/updates/stream")
        assert 0 < status < 500 or (stream and status == 200), (raw[:60], status)
        assert get_json(server.url + "/q/health/live")[0] == 200
    assert server.worker_pids() == [worker]
    server.stop()
    assert "Traceback" not in server.full_log()
