"""Activity instructions: simple formatting renders; nothing an author writes becomes
markup of its own."""

import pytest

from learning.formatting import render_instructions


def test_paragraphs_line_breaks_emphasis_and_lists_render():
    html = render_instructions(
        "Find **three** leaves.\nLook *closely*.\n\n- a big one\n- a small one\n\n1. draw\n2. label"
    )

    assert html == (
        "<p>Find <strong>three</strong> leaves.<br>\nLook <em>closely</em>.</p>\n"
        "<ul><li>a big one</li><li>a small one</li></ul>\n"
        "<ol><li>draw</li><li>label</li></ol>"
    )


def test_an_https_link_renders_with_its_address_escaped():
    html = render_instructions("See [the museum](https://example.org/a?b=1&c=2).")

    assert html == (
        '<p>See <a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer">'
        "the museum</a>.</p>"
    )


def test_a_script_tag_shows_as_text():
    html = render_instructions("<script>alert('hi')</script>")

    assert "<script" not in html
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt;" in html


def test_an_image_with_an_error_handler_shows_as_text():
    html = render_instructions('<img src=x onerror="alert(1)">')

    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "http://example.org/",
        "//example.org/",
        "/admin/",
        "https:alert(1)",
    ],
)
def test_a_link_to_anything_but_an_https_address_is_plain_text(address):
    html = render_instructions(f"[click me]({address})")

    assert "<a" not in html
    assert "href" not in html
    assert "click me" in html


def test_a_quote_cannot_break_out_of_a_link_address():
    html = render_instructions('[x](https://example.org/"onmouseover="alert)')

    assert html == (
        '<p><a href="https://example.org/&quot;onmouseover=&quot;alert" '
        'rel="noopener noreferrer">x</a></p>'
    )


def test_markup_inside_bold_and_link_text_stays_escaped():
    html = render_instructions("**<b>loud</b>** [<i>x</i>](https://example.org/)")

    assert "<b>" not in html and "<i>" not in html
    assert "<strong>&lt;b&gt;loud&lt;/b&gt;</strong>" in html
    assert ">&lt;i&gt;x&lt;/i&gt;</a>" in html


def test_underscores_and_stars_inside_words_are_left_alone():
    html = render_instructions("snake_case_name and 2*3*4")

    assert html == "<p>snake_case_name and 2*3*4</p>"


def test_empty_instructions_render_nothing():
    assert render_instructions("") == ""
    assert render_instructions("\n \n") == ""
