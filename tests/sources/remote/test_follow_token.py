"""The bearer token: from a file (a mounted Secret, read at each connection so it can rotate)
or an environment variable (`${NAME}`, as the reference's files say it); never in a log line."""

from __future__ import annotations

import logging
from pathlib import Path

TOKEN = "s3cr3t-T0ken.value"


def authorizations(scripted) -> list[str | None]:
    return [r.headers.get("authorization") for r in scripted.requests]


def test_a_token_file_is_sent_and_reread_when_it_rotates(remote, tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text(TOKEN + "\n")
    scripted = remote.Scripted(heartbeat=0.3)
    west = remote.follow(remote.serve(scripted).url, tokenFile=str(secret))
    remote.synced(west)
    assert set(authorizations(scripted)) == {f"Bearer {TOKEN}"}

    secret.write_text("rotated")
    # The stream goes silent (nothing pushed), is given up, and the next connection reads again.
    remote.wait_for(lambda: "Bearer rotated" in authorizations(scripted), timeout=5)


def test_a_token_from_the_environment(remote) -> None:
    scripted = remote.Scripted()
    west = remote.follow(
        remote.serve(scripted).url, token="${WEST_TOKEN}", environ={"WEST_TOKEN": TOKEN}
    )
    remote.synced(west)
    assert set(authorizations(scripted)) == {f"Bearer {TOKEN}"}


def test_no_token_sends_no_header(remote) -> None:
    scripted = remote.Scripted()
    remote.synced(remote.follow(remote.serve(scripted).url))
    assert set(authorizations(scripted)) == {None}


def test_problems_name_the_way_in_never_the_value(remote, tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    scripted = remote.Scripted()
    url = remote.serve(scripted).url
    missing = remote.follow(url, name="a", token="${NOT_SET}", environ={})
    unreadable = remote.follow(url, name="b", tokenFile=str(tmp_path / "nope"))
    # A literal token of two lines fails loading (tests/test_config_ranges.py); one that comes
    # from the environment is only known when it is read.
    broken = remote.follow(
        url, name="c", token="${BROKEN}", environ={"BROKEN": "two\nlines" + TOKEN}
    )
    for f, expected in (
        (missing, "token: environment variable NOT_SET is not set"),
        (unreadable, f"tokenFile {tmp_path / 'nope'}: cannot read it"),
        (broken, "token: not a usable bearer token (value not shown)"),
    ):
        remote.wait_for(lambda f=f: remote.readiness.sources()[f.name].state == "error", timeout=5)
        assert remote.readiness.sources()[f.name].last_error.startswith(expected)
    assert scripted.requests == []  # nothing was sent without its token
    assert TOKEN not in caplog.text


def test_a_refused_token_says_so(remote, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    scripted = remote.Scripted()
    scripted.bodies["/api/config"] = (401, b'{"error":"unauthorized"}')
    west = remote.follow(remote.serve(scripted).url, token=TOKEN)
    remote.wait_for(lambda: remote.readiness.sources()[west.name].state == "error", timeout=5)
    error = remote.readiness.sources()[west.name].last_error
    assert "HTTP 401; the token is missing or refused" in error
    assert TOKEN not in caplog.text


def test_a_redirect_is_not_followed_so_the_token_stays(remote) -> None:
    elsewhere = remote.Scripted()
    scripted = remote.Scripted()
    scripted.redirects["/api/config"] = remote.serve(elsewhere).url + "/api/config"
    west = remote.follow(remote.serve(scripted).url, token=TOKEN)
    remote.wait_for(lambda: remote.readiness.sources()[west.name].state == "error", timeout=5)
    assert remote.readiness.sources()[west.name].last_error.endswith("/api/config: HTTP 302")
    assert elsewhere.requests == []
