"""The urlFrom resolver both sources share: one key, one allow-list check, one read per target,
and owners told (never the catalog written) when a target reads differently.

The lookups here are small real ones over a dict, as the file source's is over its index; the
cluster's lookup is exercised against the test API server in `kube/test_urlfrom_cluster.py`.
"""

from __future__ import annotations

from typing import Any

import gevent.event
import gevent.pool
import pytest

from startpunkt import model
from startpunkt.config import Settings, UrlFromSettings
from startpunkt.sources import resolver
from startpunkt.sources.identity import ObjectId
from testkit import wait

EDGE = ObjectId("networking.k8s.io", "Ingress", "apps", "edge")


def ingress(host: str) -> dict[str, Any]:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "spec": {"host": host}}


def follower(name: str, *, kind: str = "Ingress", target: str = "edge") -> model.Application:
    return model.Application(
        id=f"application/apps/{name}",
        name=name.title(),
        group="apps",
        namespace="apps",
        resource_name=name,
        source="Application",
        url="https://fallback.example.com",
        url_from=model.UrlFrom(
            "v1", kind, target, "spec.host", "apps", "networking.k8s.io", "https://{0}"
        ),
    )


class Objects:
    """A lookup over a dict of objects by id, counting what it was asked."""

    def __init__(self, **objects: dict[str, Any]) -> None:
        self.by_id = {EDGE._replace(name=name): obj for name, obj in objects.items()}
        self.asked: list[resolver.Target] = []
        self.failing = False

    def __call__(self, target: resolver.Target) -> resolver.Read:
        self.asked.append(target)
        if self.failing:
            raise resolver.Unreadable("connection refused")
        return resolver.Read(self.by_id.get(target.id))


class Owners:
    """What each origin's owner was told, in order."""

    def __init__(self) -> None:
        self.told: list[tuple[str, list[str | None]]] = []

    def __call__(self, origin: str, items: list[model.Item]) -> None:
        self.told.append((origin, [getattr(i, "url", None) for i in items]))


def build(objects: Objects, owners: Owners, settings: Settings | None = None, **kw: Any):
    chosen = settings or Settings()
    return resolver.Resolver(objects, settings=lambda: chosen, on_retarget=owners, **kw)


def urls(items: list[model.Item]) -> list[str | None]:
    return [getattr(i, "url", None) for i in items]


def test_each_target_is_read_once_however_many_applications_follow_it():
    objects, owners = Objects(edge=ingress("edge.example.com")), Owners()
    r = build(objects, owners)

    first = r.resolve("file:/a.yaml", [follower("one"), follower("two")])
    second = r.resolve("file:/b.yaml", [follower("three")])

    assert urls(first + second) == ["https://edge.example.com"] * 3
    assert objects.asked == [resolver.Target(EDGE, "v1")]


def test_a_target_read_differently_is_handed_to_each_owner_and_written_by_none():
    objects, owners = Objects(edge=ingress("edge.example.com")), Owners()
    r = build(objects, owners)
    r.resolve("file:/a.yaml", [follower("one"), follower("two")])
    r.resolve("file:/b.yaml", [follower("three")])

    r.reread({EDGE})
    assert owners.told == []  # read again, but the same: nobody is told

    objects.by_id[EDGE] = ingress("moved.example.com")
    r.reread({EDGE._replace(name="elsewhere")})
    assert owners.told == []  # only the objects named are read again

    r.reread({EDGE})
    assert owners.told == [
        ("file:/a.yaml", ["https://moved.example.com", "https://moved.example.com"]),
        ("file:/b.yaml", ["https://moved.example.com"]),
    ]


def test_forgotten_followers_are_not_told_and_unfollowed_reads_are_dropped():
    objects, owners = Objects(edge=ingress("edge.example.com")), Owners()
    r = build(objects, owners)
    r.resolve("file:/a.yaml", [follower("one")])
    r.forget_origin("file:/a.yaml")

    objects.by_id[EDGE] = ingress("moved.example.com")
    r.reread()
    assert owners.told == []

    again = r.resolve("file:/a.yaml", [follower("one")])
    assert urls(again) == ["https://moved.example.com"]  # read anew, not the dropped read


def test_a_missing_target_falls_back_to_the_url(caplog):
    r = build(Objects(), Owners())
    (app,) = r.resolve("file:/a.yaml", [follower("one")])
    assert app.url == "https://fallback.example.com"
    assert "Ingress apps/edge not found, using url" in caplog.text


@pytest.mark.parametrize(
    ("kind", "allowed"), [("Ingress", ("Service",)), ("Secret", ("Ingress", "Secret"))]
)
def test_a_kind_outside_the_allow_list_is_never_looked_up(caplog, kind, allowed):
    objects = Objects(edge=ingress("edge.example.com"))
    settings = Settings(url_from=UrlFromSettings(allowed_kinds=allowed))
    r = build(objects, Owners(), settings)

    (app,) = r.resolve("file:/a.yaml", [follower("one", kind=kind)])

    assert app.url == "https://fallback.example.com"
    assert objects.asked == []
    assert f"{kind} may not be read (urlFrom.allowedKinds); using url" in caplog.text


def test_a_failed_read_keeps_the_last_good_one_else_says_why(caplog):
    objects, owners = Objects(edge=ingress("edge.example.com")), Owners()
    r = build(objects, owners)
    r.resolve("file:/a.yaml", [follower("one")])

    objects.failing = True
    r.reread()
    (kept,) = r.resolve("file:/a.yaml", [follower("one")])
    (never,) = r.resolve("file:/b.yaml", [follower("two", target="other")])

    assert kept.url == "https://edge.example.com" and owners.told == []
    assert never.url == "https://fallback.example.com"
    assert "cannot read Ingress apps/other: connection refused; using url" in caplog.text


def test_a_read_in_the_background_arriving_late_goes_to_the_owner():
    """Cluster reads are requests: the caller waits at most `wait`, the owner gets the rest."""
    released = gevent.event.Event()
    objects, owners = Objects(edge=ingress("edge.example.com")), Owners()

    def slow(target: resolver.Target) -> resolver.Read:
        released.wait(timeout=5)
        return objects(target)

    tasks = gevent.pool.Group()
    r = resolver.Resolver(slow, settings=Settings, on_retarget=owners, tasks=tasks)
    try:
        (app,) = r.resolve("kube:applications", [follower("one")], wait=0.05)
        assert app.url == "https://fallback.example.com"
        assert len(tasks) == 1  # the read runs on in the app's task group

        released.set()
        wait.wait_for(lambda: owners.told, timeout=2.0, what="the late read handed over")
        assert owners.told == [("kube:applications", ["https://edge.example.com"])]
        assert objects.asked == [resolver.Target(EDGE, "v1")]
    finally:
        r.stop()
        tasks.kill()
