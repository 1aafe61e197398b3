"""gunicorn settings for startpunkt: gevent workers holding many long-lived SSE streams.

Every setting can come from the environment (GUNICORN_CMD_ARGS, or the STARTPUNKT_* ones below);
`-b HOST:PORT` on the command line overrides `bind`.
"""

import os

bind = os.environ.get("STARTPUNKT_BIND", "0.0.0.0:8080")
# gevent: one greenlet per connection, so a worker holds thousands of idle streams cheaply.
worker_class = "gevent"
# Each worker watches the cluster and holds its own catalog; 1 suits a pod, scale with replicas.
workers = int(os.environ.get("STARTPUNKT_WORKERS", "1"))
# Open connections per worker; well above realtime.maxConnections (10,000) so REST still fits
# when the stream cap is reached. The process limit here is 20,000 open files.
worker_connections = int(os.environ.get("STARTPUNKT_WORKER_CONNECTIONS", "12000"))
# Streams end within a second of shutdown; 30 s is for slow REST requests. Keep the pod's
# terminationGracePeriodSeconds above it.
graceful_timeout = int(os.environ.get("STARTPUNKT_GRACEFUL_TIMEOUT", "30"))
# The gevent worker's timeout does not limit stream length; it only catches a stuck worker.
timeout = 30
# Idle keep-alive for REST between polls; streams are not affected.
keepalive = 5
# Never preload: the app must be imported after the worker has monkey-patched (app.py patches
# first), and each worker needs its own watches.
preload_app = False
accesslog = os.environ.get("STARTPUNKT_ACCESS_LOG") or None
loglevel = os.environ.get("STARTPUNKT_LOG_LEVEL", "info").lower()

# Hooks import startpunkt inside the worker, after gevent has patched it (importing it here, in
# the master, would load ssl before patching).


def post_worker_init(worker):
    # Ends every SSE stream within 0.2 s of SIGTERM, so the worker drains in about a second
    # instead of being SIGKILLed at graceful_timeout with no stream cleanup.
    from startpunkt import shutdown

    shutdown.post_worker_init(worker)
    # Plain event-stream requests skip gunicorn's and Flask's request path (about 5x cheaper to
    # open), and the start-up heap is frozen out of the garbage collector's sight.
    from startpunkt.web import early

    early.post_worker_init(worker)


def worker_exit(server, worker):
    # Kills background greenlets and logs "event streams opened=N closed=N open=0".
    from startpunkt import shutdown

    shutdown.worker_exit(worker)
