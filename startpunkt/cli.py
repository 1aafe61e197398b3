"""The `startpunkt` command: `serve`, `check` and `--version`.

`serve` is the production server (gunicorn with the shipped gunicorn.conf.py) for an installed
package, which has no `app.py` beside it. `check` validates a configuration and directories of
manifests offline (`startpunkt.check`), so GitOps repositories can run it in their own CI.
Nothing heavy is imported before a subcommand needs it: `--version` answers at once, and `serve`
must not load ssl-using libraries before gunicorn's workers patch with gevent.
"""

from __future__ import annotations

import argparse
import os
import sys

import startpunkt
from startpunkt import bundled

APP = "startpunkt:create_app()"
"""gunicorn's gevent worker patches before it imports this, so no app.py is needed."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="startpunkt", description="A Kubernetes start page with live updates."
    )
    parser.add_argument(
        "--version", action="version", version=f"startpunkt {startpunkt.__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve_parser = commands.add_parser(
        "serve",
        help="run the server (gunicorn, gevent workers)",
        description="Run gunicorn with startpunkt's gunicorn.conf.py. Options not listed here "
        "go to gunicorn, e.g. -b 127.0.0.1:9000 or --workers 2.",
    )
    serve_parser.add_argument("--config", metavar="FILE", help="application.yaml to use")
    check_parser = commands.add_parser(
        "check",
        help="validate a configuration and manifest directories offline",
        description="Show what each directory would give the page: every application and "
        "bookmark, every object skipped and why, and every error. Exits 1 on an error.",
    )
    check_parser.add_argument("--config", metavar="FILE", help="application.yaml to use")
    check_parser.add_argument(
        "directories",
        nargs="*",
        metavar="DIR",
        help="manifest directories (default: manifests.directory of the configuration)",
    )
    args, rest = parser.parse_known_args(argv)
    if args.command == "serve":
        return serve(args.config, rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "check":
        return check(args.config, args.directories)
    parser.print_help()
    return 2


def serve(config_path: str | None, gunicorn_args: list[str]) -> int:
    """Hand over to gunicorn in this process (signals reach its master directly)."""
    if config_path:
        os.environ["STARTPUNKT_CONFIG"] = os.path.abspath(config_path)
    from gunicorn.app.wsgiapp import run

    conf = bundled.path("gunicorn.conf.py")
    sys.argv = ["startpunkt serve", "-c", str(conf), *gunicorn_args, APP]
    run()
    return 0


def check(config_path: str | None, directories: list[str]) -> int:
    """Print what each directory would show; 1 when the configuration or any manifest is wrong."""
    from startpunkt import check as checking
    from startpunkt import config

    path = config.config_path(config_path)
    try:
        settings = config.load(path)
    except config.ConfigError as exc:
        print(f"configuration error: {exc}")
        return 1
    print(f"configuration: {path or 'defaults'} (with STARTPUNKT_* overrides)")
    failed = False
    for directory in directories or [settings.manifests.directory]:
        report = checking.check_directory(directory, settings)
        print("\n".join(checking.render(report)))
        failed = failed or bool(report.errors)
    print("check failed: fix the errors above" if failed else "check passed")
    return 1 if failed else 0
