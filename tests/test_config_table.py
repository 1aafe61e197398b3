"""README.md's configuration reference is the schema the loader enforces, rendered.

When a key, a range or a default changes, this fails until `python -m startpunkt.config_table`
has rewritten the table, so the documentation cannot drift from the code.
"""

from __future__ import annotations

from pathlib import Path

from startpunkt import config, config_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_table_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count(config_table.BEGIN) == 1 and text.count(config_table.END) == 1
    assert config_table.replace_in(text) == text, "run: python -m startpunkt.config_table"


def test_every_key_has_a_row_with_type_range_default_and_meaning() -> None:
    rows = config_table.rows()
    named = {row[0].strip("`") for row in rows}
    for path, _ in config.schema_keys():
        assert path.removeprefix("startpunkt.") in named
    for row in rows:
        assert all(cell.strip() for cell in row), row


def test_the_table_says_what_the_loader_says() -> None:
    """The allowed column is the rule's text, which is also the end of the loader's error."""
    row = next(r for r in config_table.rows() if r[0] == "`realtime.heartbeatInterval`")
    assert row[1:4] == ("duration", "a duration from 1s to 1h", "`30s`")
    try:
        config.from_mapping({"startpunkt": {"realtime": {"heartbeatInterval": 0}}}, {})
    except config.ConfigError as exc:
        assert f"expected {row[2]}, got" in str(exc)
    else:
        raise AssertionError("a zero heartbeat was accepted")
