"""WSGI entry point: `gunicorn -c gunicorn.conf.py app:app`, or `python app.py` to develop.

gevent must patch the standard library before anything imports ssl, sockets or urllib3
(the kubernetes client does), or the first HTTPS request recurses; hence the first statement.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import sys  # noqa: E402

import startpunkt  # noqa: E402
from startpunkt import logs, serving, shutdown  # noqa: E402
from startpunkt.config import ConfigError  # noqa: E402

try:
    _operations = serving.from_environ()
except serving.OperationError as exc:
    sys.exit(f"startpunkt: configuration error: {exc}")
# Under gunicorn the logger class (gunicorn.conf.py) has set this up already: then a no-op.
logs.setup(_operations.log_level, _operations.log_format)


def main() -> None:
    """Serve on 127.0.0.1:8080 (or --host/--port) with gevent's WSGI server until Ctrl-C."""
    parser = argparse.ArgumentParser(description="startpunkt development server")
    parser.add_argument("--config", help="path to application.yaml")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    try:
        application = startpunkt.create_app(config_path=args.config)
    except ConfigError as exc:
        sys.exit(f"startpunkt: configuration error: {exc}")
    shutdown.serve(application, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
else:
    app = startpunkt.create_app()
