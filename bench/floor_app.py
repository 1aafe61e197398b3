"""gunicorn's own floor for bench/fanout.py: a WSGI app that answers with a stream's first bytes.

No Flask, no startpunkt: served by the same gunicorn.conf.py, each request costs what gunicorn's
gevent worker itself spends on a connection (accept, parse, environ, response). The answer is a
complete response, so the connection just stays open (keep-alive) afterwards.
"""

OPENING = b"retry: 1000\n\nevent: HEARTBEAT\ndata: null\n\n"


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/event-stream; charset=utf-8")])
    return [OPENING]
