"""Guideline strings cannot open links, images, HTML or headings in a card's detail."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from compiler.serve import markdown


def test_links_html_and_headings_are_escaped() -> None:
    assert markdown.text("[click](javascript:alert(1))") == "\\[click\\]\\(javascript:alert\\(1\\)\\)"
    assert markdown.text("<script>x</script> & co") == "&lt;script&gt;x&lt;/script&gt; &amp; co"
    assert markdown.text("# heading\n- item") == "\\# heading \\- item"
    assert markdown.quote("a > b") == "> a &gt; b"


@given(st.text(max_size=60))
def test_no_markup_character_survives_unescaped(value: str) -> None:
    escaped = markdown.text(value)
    assert "\n" not in escaped and "<" not in escaped and ">" not in escaped
    plain = escaped.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
    index = 0
    while index < len(plain):
        if plain[index] == "\\":
            index += 2
            continue
        assert plain[index] not in "[]()`*_#!|", escaped
        index += 1
