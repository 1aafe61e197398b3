"""Traefik IngressRoute: the link comes from the first route's match, or from an annotation."""

from __future__ import annotations

import pytest

from startpunkt import mappers
from startpunkt.config import KindSettings, Settings, TraefikSettings
from startpunkt.mappers import traefik

from .objects import OPTED_IN, ingressroute, only_app, settings


def route(match: str, **spec: object) -> dict:
    return ingressroute(annotations=dict(OPTED_IN), spec={"routes": [{"match": match}], **spec})


@pytest.mark.parametrize("group", ["traefik.io", "traefik.containo.us"])
def test_host_only_in_either_group(group: str) -> None:
    app = only_app(
        ingressroute(
            group,
            annotations=dict(OPTED_IN),
            spec={"routes": [{"match": "Host(`grafana.example.com`)", "kind": "Rule"}]},
        )
    )
    assert app.url == "http://grafana.example.com"
    assert (app.source, app.id) == ("IngressRoute", "ingressroute/apps/web")


def test_host_and_path_prefix_in_any_order() -> None:
    assert only_app(route("Host(`a.example.com`) && PathPrefix(`/grafana`)")).url == (
        "http://a.example.com/grafana"
    )
    assert only_app(route("PathPrefix(`/grafana`) && Host(`a.example.com`)")).url == (
        "http://a.example.com/grafana"
    )


def test_double_quotes_and_other_matchers_are_understood() -> None:
    app = only_app(route('Host("a.example.com") && Headers(`X-Team`, `ops`) && Method(`GET`)'))
    assert app.url == "http://a.example.com"


def test_tls_makes_it_https() -> None:
    assert only_app(route("Host(`a.example.com`)", tls={})).url == "https://a.example.com"
    assert only_app(route("Host(`a.example.com`)", tls={"secretName": "x"})).url == (
        "https://a.example.com"
    )


def test_the_websecure_entry_point_makes_it_https() -> None:
    app = only_app(route("Host(`a.example.com`)", entryPoints=["websecure"]))
    assert app.url == "https://a.example.com"
    assert only_app(route("Host(`a.example.com`)", entryPoints=["web"])).url == (
        "http://a.example.com"
    )


def test_the_first_of_several_routes_gives_the_link() -> None:
    o = ingressroute(
        annotations=dict(OPTED_IN),
        spec={
            "routes": [
                {"match": "Host(`first.example.com`) && PathPrefix(`/ui`)"},
                {"match": "Host(`second.example.com`)"},
            ]
        },
    )
    assert only_app(o).url == "http://first.example.com/ui"


def test_the_port_annotation_goes_into_the_link() -> None:
    o = route("Host(`a.example.com`) && PathPrefix(`/x`)", tls={})
    o["metadata"]["annotations"]["startpunkt.ullberg.us/port"] = "8443"
    assert only_app(o).url == "https://a.example.com:8443/x"


@pytest.mark.parametrize(
    "match",
    [
        "HostRegexp(`^.+\\.example\\.com$`)",
        "Host(`a.example.com`) || Host(`b.example.com`)",
        "Host(`a.example.com`) && !PathPrefix(`/x`)",
        "(Host(`a.example.com`) && PathPrefix(`/x`))",
        "Host(`a.example.com`, `b.example.com`)",
        "Host(`a.example.com`) && Host(`b.example.com`)",
        "PathPrefix(`/only`)",
        "Host(`a.example.com`",
        "Host(`*.example.com`)",
    ],
)
def test_a_match_not_understood_skips_the_object_naming_it(match: str) -> None:
    mapped = mappers.map_object(route(match), Settings())
    assert mapped.items == ()
    (problem,) = mapped.problems
    assert (problem.kind, problem.namespace, problem.name, problem.field) == (
        "IngressRoute",
        "apps",
        "web",
        None,
    )
    assert "spec.routes[0].match" in problem.reason and "url annotation" in problem.reason


@pytest.mark.parametrize("key", ["startpunkt.ullberg.us/url", "gethomepage.dev/href"])
def test_an_explicit_url_wins_and_rescues_a_match_not_understood(key: str) -> None:
    o = route("HostRegexp(`.+`)")
    o["metadata"]["annotations"][key] = "https://explicit.example.com/"
    mapped = mappers.map_object(o, Settings())
    assert [i.url for i in mapped.items] == ["https://explicit.example.com/"]
    assert mapped.problems == ()
    o = route("Host(`derived.example.com`)")
    o["metadata"]["annotations"][key] = "https://explicit.example.com/"
    assert only_app(o).url == "https://explicit.example.com/"


def test_unannotated_ones_need_only_annotated_off() -> None:
    plain = ingressroute(spec={"routes": [{"match": "Host(`a.example.com`)"}]})
    assert mappers.map_object(plain, Settings()).items == ()
    lenient = settings(traefik=TraefikSettings(ingressroute=KindSettings(only_annotated=False)))
    assert only_app(plain, lenient).url == "http://a.example.com"
    off = settings(traefik=TraefikSettings(ingressroute=KindSettings(enabled=False)))
    assert mappers.map_object(route("Host(`a.example.com`)"), off).items == ()


def test_no_routes_is_an_item_without_a_link() -> None:
    app = only_app(ingressroute(annotations=dict(OPTED_IN), spec={}))
    assert app.url is None


def test_parse() -> None:
    assert traefik.parse("Host(`a`)") == traefik.Match("a")
    assert traefik.parse(" Host( `a` )  &&  Path(`/p`) ") == traefik.Match("a", "/p")
    with pytest.raises(traefik.NotUnderstood):
        traefik.parse("Host(`a`) || Host(`b`)")
