"""Template source checks that catch what no page test would name: Django's `{# … #}` comment ends
on its own line, so one spread over several lines is sent to the browser as text (and any tag
written in it becomes part of the page)."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "chibo"


def unclosed(text: str) -> list[int]:
    """The numbers of the lines where a `{#` comment is left open."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.count("{#") > line.count("#}")]


def test_every_short_comment_closes_on_its_line() -> None:
    open_comments = [f"{path.relative_to(SRC)}:{n}" for path in sorted(SRC.rglob("templates/**/*.html"))
                     for n in unclosed(path.read_text(encoding="utf-8"))]
    assert not open_comments, "a {# comment #} must close on its line; use {% comment %} for more: " + ", ".join(open_comments)


def test_the_check_finds_a_comment_over_two_lines() -> None:
    assert unclosed("<p>{# one line #}</p>\n{# a comment\n   over two lines #}") == [2]
