"""`clusters.*`: names that can prefix ids, one per cluster, a base URL for every remote, and
the token's ways in (a file, an environment variable), never shown."""

from __future__ import annotations

import pytest

from startpunkt import config


def clusters(local: dict | None = None, *remotes: dict) -> config.ClustersSettings:
    doc = {"startpunkt": {"clusters": {"local": local or {}, "remote": list(remotes)}}}
    return config.from_mapping(doc, {}).clusters


def test_a_remote_with_every_key() -> None:
    (west,) = clusters(
        {"name": "home"},
        {
            "name": "west",
            "url": "https://start.west.example.com/",
            "tokenFile": "/run/token",
            "ignoreCertificates": True,
            "caFile": "/etc/ca.pem",
            "maxItems": 100,
        },
    ).remote
    assert west.base_url() == "https://start.west.example.com"
    assert (west.token_file, west.ignore_certificates, west.ca_file, west.max_items) == (
        "/run/token",
        True,
        "/etc/ca.pem",
        100,
    )


@pytest.mark.parametrize(
    ("graphql_url", "base"),
    [
        ("https://office.example.com/graphql", "https://office.example.com"),
        ("https://office.example.com/start/graphql/", "https://office.example.com/start"),
        ("http://10.0.0.5:8080/graphql", "http://10.0.0.5:8080"),
    ],
)
def test_the_references_graphql_url_gives_the_base(graphql_url: str, base: str) -> None:
    (remote,) = clusters(None, {"name": "office", "graphqlUrl": graphql_url}).remote
    assert remote.base_url() == base


def test_url_wins_over_graphql_url_and_token_over_graphql_token() -> None:
    (remote,) = clusters(
        None,
        {
            "name": "x",
            "url": "https://a.example",
            "graphqlUrl": "https://b.example/graphql",
            "token": "t1",
            "graphqlToken": "t2",
        },
    ).remote
    assert (remote.base_url(), remote.bearer()) == ("https://a.example", "t1")
    assert "t1" not in repr(remote) and "t2" not in repr(remote)


@pytest.mark.parametrize(
    ("local", "remotes", "message"),
    [
        ({"name": "a:b"}, [], r"clusters\.local\.name: expected a cluster name.* got str 'a:b'"),
        (
            None,
            [{"name": "we/st", "url": "http://w"}],
            r"remote\[0\]\.name: expected a cluster name.* got str 'we/st'",
        ),
        (None, [{"name": "", "url": "http://w"}], r"remote\[0\]\.name: expected a cluster name"),
        (None, [{"name": "local", "url": "http://w"}], r"'local' is already the name of .*local"),
        (
            None,
            [{"name": "West", "url": "http://w"}, {"name": "west", "url": "http://v"}],
            r"remote\[1\]\.name: 'west' is already the name of .*remote\[0\]",
        ),
        (None, [{"name": "w"}], r"remote\[0\]: expected url \(or graphqlUrl\)"),
        (None, [{"name": "w", "url": "ftp://w"}], r"remote\[0\]\.url: expected an absolute http"),
        (None, [{"name": "w", "url": "https://"}], r"remote\[0\]\.url: expected an absolute http"),
        (
            None,
            [{"name": "w", "url": "http://w", "maxItems": 0}],
            r"maxItems: expected a whole number from 1 ",
        ),
    ],
)
def test_unusable_entries_fail_naming_the_key(local, remotes, message) -> None:
    with pytest.raises(config.ConfigError, match=message):
        clusters(local, *remotes)


def test_a_disabled_remote_needs_no_url() -> None:
    (off,) = clusters(None, {"name": "w", "enabled": False}).remote
    assert off.enabled is False


def test_public_config_names_the_clusters_never_their_urls_or_tokens() -> None:
    doc = {
        "startpunkt": {
            "web": {"defaultShowAllClusters": False},
            "clusters": {
                "local": {"name": "home"},
                "remote": [
                    {"name": "west", "url": "https://w.example", "token": "s3cret"},
                    {"name": "east", "url": "https://e.example", "enabled": False},
                ],
            },
        }
    }
    public = config.public(config.from_mapping(doc, {}), "1.0")["config"]
    assert public["clusters"] == {"local": "home", "remote": ["west"]}
    assert public["web"]["defaultShowAllClusters"] is False
    assert "s3cret" not in repr(public) and "w.example" not in repr(public)
