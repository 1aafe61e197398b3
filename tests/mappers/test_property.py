"""Property: `map_object` never raises and never lets an unsafe URL through, whatever it is fed."""

from __future__ import annotations

from typing import Any

import pytest

from startpunkt import mappers, model, safe
from startpunkt.config import IngressSettings, Settings
from startpunkt.mappers import annotated

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
URLISH = st.sampled_from(
    [
        "https://ok.example.com/P",
        "javascript:alert(1)",
        "data:,x",
        "ftp://x",
        "/rel",
        "http://",
        "*.example.com",
        "web.example.com",
        "/app(/|$)(.*)",
        "https://{0}/",
        "spec.host",
    ]
)
VALUES = st.recursive(
    SCALARS | URLISH,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
WORDS = st.sampled_from(["true", "FALSE", "maybe", "0", "7", "abc", "mdi:home", "/ui", "a,b"])
HOSTS = st.sampled_from(["web.example.com", "*.example.com", "", "a b", "x:99999"]) | VALUES
FIELD = st.one_of(URLISH, WORDS, SCALARS, VALUES)
PATHS = st.lists(st.fixed_dictionaries({"path": URLISH | VALUES}), max_size=2)
RULE = st.fixed_dictionaries(
    {"host": HOSTS}, optional={"http": st.fixed_dictionaries({"paths": PATHS})}
)
TLS = st.fixed_dictionaries({}, optional={"hosts": st.lists(HOSTS)})
ROUTING = st.fixed_dictionaries(
    {},
    optional={
        "rules": st.lists(RULE | VALUES, max_size=2),
        "tls": st.lists(TLS | VALUES) | VALUES,
        "host": HOSTS,
        "path": URLISH | VALUES,
        "hosts": st.lists(HOSTS, max_size=2),
        "hostnames": st.lists(HOSTS, max_size=2),
    },
)
"""Spec shapes of the annotated kinds, so URL derivation meets hosts, paths and TLS."""
KEYS = sorted({key for keys in annotated.KEYS.values() for key in keys})
SPEC_KEYS = [
    "name",
    "group",
    "url",
    "urlFrom",
    "icon",
    "iconColor",
    "info",
    "targetBlank",
    "location",
    "enabled",
    "rootPath",
    "tags",
]
API = st.sampled_from(
    [
        ("networking.k8s.io/v1", "Ingress"),
        ("route.openshift.io/v1", "Route"),
        ("networking.istio.io/v1", "VirtualService"),
        ("gateway.networking.k8s.io/v1", "HTTPRoute"),
        ("startpunkt.ullberg.us/v1alpha4", "Application"),
        ("startpunkt.ullberg.us/v1", "Bookmark"),
        ("hajimari.io/v1alpha1", "Application"),
        ("hajimari.io/v1alpha1", "Bookmark"),
    ]
)


@st.composite
def kube_objects(draw: Any) -> Any:
    """Mostly well-identified objects (so the field mappers run) with arbitrary fields."""
    api_version, kind = draw(API)
    metadata: Any = {
        "name": draw(st.sampled_from(["web", "Web-1"])),
        "namespace": draw(st.sampled_from(["apps", "default"])),
        "annotations": draw(st.dictionaries(st.sampled_from(KEYS), FIELD, max_size=6)),
    }
    if draw(st.integers(0, 9)) == 0:  # now and then, broken identity or annotations
        metadata = draw(st.dictionaries(st.sampled_from(list(metadata)), VALUES) | VALUES)
    fields = st.dictionaries(st.sampled_from(SPEC_KEYS), FIELD, max_size=8)
    spec = draw(st.one_of(fields, ROUTING, VALUES))
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, "spec": spec}


LENIENT = Settings(ingress=IngressSettings(only_annotated=False))


@hypothesis.settings(max_examples=200, deadline=None, database=None)
@hypothesis.given(o=kube_objects() | VALUES)
def test_map_object_never_raises(o: Any) -> None:
    for s in (Settings(), LENIENT):
        mapped = mappers.map_object(o, s)
        assert isinstance(mapped, mappers.Mapped)
        assert len(mapped.items) <= 1
        for item in mapped.items:
            assert isinstance(item, model.Application | model.Bookmark)
            assert item.url is None or safe.url(item.url)
            assert isinstance(item.location, int)
        assert all(isinstance(p.reason, str) and p.reason for p in mapped.problems)
