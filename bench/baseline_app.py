"""The straightforward SSE design, as the yardstick for bench/fanout.py.

One `gevent.queue.Queue` and one generator per client; every change is put into every queue and
serialised by each client's generator (so N clients cost N serialisations), heartbeats come from
`Queue.get(timeout=...)`. It runs on startpunkt's real sources and catalog, so a manifest edit
reaches it exactly as it reaches startpunkt: only the delivery differs. Served by gunicorn the
same way: `gunicorn -c gunicorn.conf.py --pythonpath bench baseline_app:app`.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

from flask import Response  # noqa: E402
from gevent.queue import Empty, Full, Queue  # noqa: E402

import startpunkt  # noqa: E402
from startpunkt import model, runtime, signals, sse  # noqa: E402
from startpunkt.events import payloads  # noqa: E402

app = startpunkt.create_app()
rt = runtime.get(app)
clients: set[Queue] = set()


def publish(kind: str, item: model.Item) -> None:
    """Put the change into every client's queue; a full queue drops that client."""
    for queue in list(clients):
        try:
            queue.put_nowait((kind, item))
        except Full:
            clients.discard(queue)
            queue.put((None, None))  # never blocks: the get side drains first


APPLICATION_EVENTS = frozenset(
    {
        payloads.EventType.APPLICATION_ADDED,
        payloads.EventType.APPLICATION_UPDATED,
        payloads.EventType.APPLICATION_REMOVED,
    }
)
"""What the yardstick sends: application changes, each with the full object."""


def on_change(sender: Any, *, old: model.Item | None, new: model.Item | None, **_: Any) -> None:
    for kind, item in payloads.classify(old, new):
        if kind in APPLICATION_EVENTS:
            publish(kind.value, item)


signals.item_changed.connect(on_change, sender=rt.catalog)


@app.get("/baseline/stream")
def stream() -> Response:
    settings = rt.settings.realtime
    queue: Queue = Queue(maxsize=settings.client_queue_size)
    clients.add(queue)

    def frames() -> Iterator[bytes]:
        try:
            yield sse.encode(retry=settings.retry_ms)
            yield payloads.frame(payloads.EventType.HEARTBEAT, None, event_id=None)
            while True:
                try:
                    kind, item = queue.get(timeout=settings.heartbeat_interval)
                except Empty:
                    yield payloads.frame(payloads.EventType.HEARTBEAT, None, event_id=None)
                    continue
                if kind is None:
                    return
                envelope = {
                    "type": kind,
                    "timestamp": payloads.timestamp(),
                    "data": model.to_json(item),
                }
                yield sse.encode(event=kind, data=json.dumps(envelope, separators=(",", ":")))
        finally:
            clients.discard(queue)

    return Response(frames(), mimetype="text/event-stream", headers={"Cache-Control": "no-cache"})
