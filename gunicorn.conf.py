"""gunicorn settings for startpunkt: gevent workers holding many long-lived SSE streams.

Every setting can come from the environment: the STARTPUNKT_* variables below (README.md,
"Running in production"), or GUNICORN_CMD_ARGS; `-b HOST:PORT` on the command line overrides
`bind`. `serving.startup()` checks those variables and loads the configuration here, in the
master, so a mistake stops start-up with one line naming it instead of a traceback from every
worker. It imports PyYAML and python-json-logger only: nothing that opens sockets may load
before a worker has patched with gevent.
"""

from startpunkt import serving

operations = serving.startup()

bind = list(operations.bind)
# gevent: one greenlet per connection, so a worker holds thousands of idle streams cheaply.
worker_class = "gevent"
# Each worker watches the cluster and holds its own catalog; 1 suits a pod, scale with replicas.
workers = operations.workers
# Open connections per worker; well above realtime.maxConnections (10,000) so REST still fits
# when the stream cap is reached. The process limit here is 20,000 open files.
worker_connections = operations.worker_connections
# Streams end within a second of shutdown; 30 s is for slow REST requests. Keep the pod's
# terminationGracePeriodSeconds above it.
graceful_timeout = operations.graceful_timeout
# The gevent worker's timeout does not limit stream length; it only catches a stuck worker.
timeout = 30
# Idle keep-alive for REST between polls; streams are not affected.
keepalive = 5
# Never preload: the app must be imported after the worker has monkey-patched (app.py patches
# first), and each worker needs its own watches.
preload_app = False
# Off by default: every poll would be a line. Each event stream, however it was admitted, is
# logged once, when it ends, with its duration and bytes (web/access.py).
accesslog = operations.access_log
loglevel = operations.log_level
# text or JSON lines, for gunicorn's logs and the app's alike (STARTPUNKT_LOG_FORMAT).
logger_class = serving.logger_class(operations)

# Hooks import startpunkt's server parts inside the worker, after gevent has patched it
# (importing them here would load gevent, Flask and the kubernetes client into the master).


def post_worker_init(worker):
    # Ends every SSE stream within 0.2 s of SIGTERM, so the worker drains in about a second
    # instead of being SIGKILLed at graceful_timeout with no stream cleanup.
    from startpunkt import shutdown

    shutdown.post_worker_init(worker)
    # Plain event-stream requests skip gunicorn's and Flask's request path (about 5x cheaper to
    # open), and the start-up heap is frozen out of the garbage collector's sight.
    from startpunkt.web import early

    early.post_worker_init(worker)
    # Past the open-file limit, one WARNING every 10 s instead of a traceback per failed accept.
    from startpunkt import accepting

    accepting.post_worker_init(worker)


def worker_exit(server, worker):
    # Kills background greenlets and logs "event streams opened=N closed=N open=0".
    from startpunkt import shutdown

    shutdown.worker_exit(worker)
