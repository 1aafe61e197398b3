"""Runs the fake API server as a process, for gunicorn tests and benchmarks.

    python -m testkit.kubeapi --port 0 --kubeconfig /tmp/kc.yaml --load deploy/crds

The kubeconfig is written (atomically) once the port is bound, and one line `listening on URL`
goes to stdout, so a parent can wait for either. SIGTERM or SIGINT stops it with exit code 0.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

import gevent

from testkit.kubeapi import registry, server


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m testkit.kubeapi")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--kubeconfig", help="write a kubeconfig for this server here")
    parser.add_argument(
        "--load", action="append", default=[], metavar="DIR", help="apply YAML manifests"
    )
    parser.add_argument("--tls", action="store_true", help="serve https with a fresh CA")
    parser.add_argument("--token", help="require this bearer token")
    parser.add_argument(
        "--insecure-kubeconfig", action="store_true", help="skip TLS verification, not the CA"
    )
    parser.add_argument("--bookmark-interval", type=float, default=1.0, metavar="SECONDS")
    parser.add_argument("--no-defaults", action="store_true", help="only types from --load CRDs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="kubeapi %(levelname)s %(message)s")
    api = server.KubeApiServer(
        host=args.host,
        port=args.port,
        types=() if args.no_defaults else registry.DEFAULT_TYPES,
        tls=args.tls,
        token=args.token,
        bookmark_interval=args.bookmark_interval,
    )
    for directory in args.load:
        logging.info("loaded %d objects from %s", api.load(directory), directory)
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, api.stop)  # runs in a new greenlet, so it may block

    def announce() -> None:
        if args.kubeconfig:
            api.kubeconfig(args.kubeconfig, insecure=args.insecure_kubeconfig)
        print(f"listening on {api.url}", flush=True)

    api.serve_forever(ready=announce)
    return 0


if __name__ == "__main__":
    sys.exit(main())
