"""Readiness: ready only when every source has listed and none is failing."""

from __future__ import annotations

from startpunkt.readiness import Readiness


def test_no_sources_is_ready():
    assert Readiness().ready()


def test_ready_after_every_source_synced_and_degraded_not_down_on_error():
    r = Readiness()
    r.register("kube:ingresses")
    r.register("files:/x")
    assert not r.ready() and not r.started()
    r.report("kube:ingresses", "synced", objects=3)
    assert not r.ready()
    r.report("files:/x", "synced", objects=1)
    assert r.ready() and r.started()
    r.report("kube:ingresses", "error", error="connection refused")
    assert r.ready(grace=0.0) and r.started()  # the files still serve: not every source is down
    status = r.sources()["kube:ingresses"]
    assert status.degraded and status.degraded_since is not None
    described = status.as_json()
    assert described.pop("degradedSince").endswith("Z")
    assert described == {
        "state": "error",
        "objects": 3,
        "degraded": True,
        "lastError": "connection refused",
    }
    r.report("kube:ingresses", "synced", objects=3)
    assert not r.sources()["kube:ingresses"].degraded


def test_failing_before_the_first_list_is_not_ready():
    r = Readiness()
    r.register("kube:ingresses")
    r.report("kube:ingresses", "error", error="connection refused")
    assert not r.ready() and not r.sources()["kube:ingresses"].degraded


def test_every_source_down_longer_than_the_grace_is_not_ready():
    r = Readiness()
    r.report("kube:ingresses", "synced", objects=3)
    r.report("kube:routes", "absent")
    r.report("kube:ingresses", "error", error="connection refused")
    assert r.ready(grace=0.0)  # routes is not failing
    r.report("kube:routes", "error", error="connection refused")
    assert r.ready(grace=60.0)  # every source down, but within the grace
    assert not r.ready(grace=0.0) and r.all_down_for(0.0)
    r.report("kube:routes", "absent")
    assert r.ready(grace=0.0)


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
    (line,) = [rec.getMessage() for rec in caplog.records if " synced: " in rec.getMessage()]
    assert line.startswith("source kube:ingresses synced: 3 objects in ")
    assert line.endswith(" s")
