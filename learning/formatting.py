"""The small formatting language of activity instructions, rendered safely.

Authors write plain text; the portal stores exactly what they wrote and renders it
here. Every character of the source is HTML-escaped; only the markup below turns
into tags, and only tags this module writes itself can appear:

    A blank line starts a new paragraph.
    A single line break stays a line break.
    **bold** and *italic* (or _italic_).
    - a bullet list item (or "* item"), one per line
    1. a numbered list item, one per line
    [words to click](https://example.org/page) — https addresses only

Anything else, including HTML, shows as the text it is. A link to anything but an
https address (``javascript:``, ``data:``, ``http:``, relative) is shown as plain
text, never as a link.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FORMATTING_HINT = (
    "Simple formatting: a blank line starts a new paragraph; **bold**, *italic*; "
    'start lines with "- " for a bullet list or "1. " for a numbered list; '
    "links as [words](https://address)."
)

_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_INLINE = re.compile(
    r"\[(?P<link_text>[^\[\]\n]+)\]\((?P<link_url>[^\s()]+)\)"
    r"|\*\*(?P<bold>\S(?:.*?\S)?)\*\*"
    r"|(?<![\w*])(?P<delim>[*_])(?P<italic>[^\s*_](?:.*?[^\s*_])?)(?P=delim)(?![\w*])"
)


def render_instructions(source: str) -> SafeString:
    """The instructions as HTML: paragraphs, line breaks, lists, emphasis, https links."""
    blocks: list[str] = []
    lines = (source or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paragraph: list[str] = []
    list_kind = ""
    items: list[str] = []

    def close_paragraph() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>\n".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_kind
        if items:
            body = "".join(f"<li>{_inline(item)}</li>" for item in items)
            blocks.append(f"<{list_kind}>{body}</{list_kind}>")
            items.clear()
        list_kind = ""

    for raw_line in lines:
        line = raw_line.rstrip()
        if not line.strip():
            close_paragraph()
            close_list()
            continue
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            kind = "ul" if bullet else "ol"
            close_paragraph()
            if list_kind and list_kind != kind:
                close_list()
            list_kind = kind
            items.append((bullet or numbered).group(1))
            continue
        close_list()
        paragraph.append(line.strip())
    close_paragraph()
    close_list()
    return mark_safe("\n".join(blocks))  # noqa: S308 (every piece of source text is escaped)


def _is_https(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname) and not parts.username


def _inline(text: str, *, links: bool = True) -> str:
    """Escape ``text``, turning its emphasis and (if ``links``) https links into tags."""
    out: list[str] = []
    position = 0
    for match in _INLINE.finditer(text):
        out.append(escape(text[position : match.start()]))
        position = match.end()
        if match.group("link_text") is not None:
            url = match.group("link_url")
            if links and _is_https(url):
                label = _inline(match.group("link_text"), links=False)
                out.append(f'<a href="{escape(url)}" rel="noopener noreferrer">{label}</a>')
            else:
                out.append(escape(match.group(0)))
        elif match.group("bold") is not None:
            out.append(f"<strong>{_inline(match.group('bold'), links=links)}</strong>")
        else:
            out.append(f"<em>{_inline(match.group('italic'), links=links)}</em>")
    out.append(escape(text[position:]))
    return "".join(out)
