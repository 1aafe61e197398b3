"""Readiness: ready only when every source has listed and none is failing."""

from __future__ import annotations

from startpunkt.readiness import Readiness


def test_no_sources_is_ready():
    assert Readiness().ready()


def test_ready_after_every_source_synced_and_down_again_on_error():
    r = Readiness()
    r.register("kube:ingresses")
    r.register("files:/x")
    assert not r.ready() and not r.started()
    r.report("kube:ingresses", "synced", objects=3)
    assert not r.ready()
    r.report("files:/x", "synced", objects=1)
    assert r.ready() and r.started()
    r.report("kube:ingresses", "error", error="connection refused")
    assert not r.ready() and r.started()
    assert r.sources()["kube:ingresses"].as_json() == {
        "state": "error",
        "objects": 3,
        "lastError": "connection refused",
    }


def test_absent_and_forbidden_do_not_block():
    r = Readiness()
    r.report("kube:routes", "absent")
    r.report("kube:httproutes", "forbidden", error="403")
    assert r.ready() and r.started()


def test_first_sync_of_each_source_is_logged_once_with_count_and_time(caplog):
    r = Readiness()
    r.register("kube:ingresses")
    with caplog.at_level("INFO", logger="startpunkt.readiness"):
        r.report("kube:ingresses", "synced", objects=3)
        r.report("kube:ingresses", "error", error="connection refused")
        r.report("kube:ingresses", "synced", objects=4)
    (line,) = [rec.getMessage() for rec in caplog.records]
    assert line.startswith("source kube:ingresses synced: 3 objects in ")
    assert line.endswith(" s")
