"""The bundled example's hosts are made up: serving only it, nothing is probed."""

from __future__ import annotations

from startpunkt import availability, config, create_app, runtime, sources


def _app(tmp_path, directory: str):
    settings = config.from_mapping(
        {"startpunkt": {"manifests": {"directory": directory}, "kubernetes": {"enabled": False}}},
        {},
    )
    app = create_app(settings, start=False)
    sources.init_app(app)
    availability.init_app(app)
    return app


def test_bundled_example_alone_is_not_probed(tmp_path):
    app = _app(tmp_path, config.EXAMPLE_DIRECTORY)
    try:
        assert runtime.get(app).prober is None
    finally:
        for g in list(runtime.get(app).tasks):
            g.kill()


def test_any_other_directory_is_probed(tmp_path):
    app = _app(tmp_path, str(tmp_path))
    try:
        assert runtime.get(app).prober is not None
    finally:
        for g in list(runtime.get(app).tasks):
            g.kill()
