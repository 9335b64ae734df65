"""Hidden bidirectional controls in user text, shown as visible marks on every page.

A right-to-left override (U+202E) or another bidi control in a transcript, a code name,
a memo or a file name is invisible, yet reorders the rest of its paragraph, so text can
be hidden or disguised ("Trojan Source"). Stored text keeps these characters (coding
offsets count them), so the fix is in what pages show.

The one place is here, after rendering, rather than a filter at each of the many
``{{ ... }}`` of user text: every HTML page, the document view's text fragment included,
gets each control character *in text content* wrapped in::

    <span class="bidi-mark" data-bidi="RLO" title="…">U+202E</span>

The character itself stays in the DOM (copying, and the document view's offset counting,
see the same character count), and kundstig.css makes the mark an ``inline-block``: an
atomic box with a paragraph of its own, so the control cannot reorder anything outside
it; ``::before`` shows its name, which is not DOM text and so no part of any offset.

Attribute values (form values included), ``<textarea>``, ``<title>``, ``<option>``,
``<script>``, ``<style>`` and inline ``<svg>`` are left as they are: markup cannot go
there, and a form must send back what it was given. The document view cuts its pieces
around each control (coding.document.bidi_control_cuts), so a mark is always the whole of
its piece and every piece still holds exactly one text node.

Text that scripts put on a page gets the same marks from app/static/js/bidi_marks.js.

Pages render user text escaped, so outside ``<script>`` and ``<style>`` every ``<`` and
``>`` in the HTML is markup and a tag is simply ``<[^>]*>``.
"""

from __future__ import annotations

import re
import unicodedata

from flask import Flask, Response
from markupsafe import escape

from research.text import BIDI_CONTROL, BIDI_CONTROLS

_TAG = re.compile(r"<(?:(/?)([a-zA-Z][a-zA-Z0-9-]*)|!)[^>]*>")  # a tag, a comment or the doctype
_RAW_TEXT = {name: re.compile(rf"</{name}\b", re.I) for name in ("script", "style", "svg")}  # skipped to their end
_NO_MARKUP = ("textarea", "title", "option")  # text up to the next tag is left alone
_MARKED = 'class="bidi-mark"'
_ANY_CONTROL_IN_UTF8 = re.compile(b"|".join(re.escape(c.encode()) for c in BIDI_CONTROLS))


def bidi_mark(control: str) -> str:
    """The visible mark of one bidi control character (the character stays inside)."""
    name = BIDI_CONTROLS[control]
    title = (f"Hidden direction control U+{ord(control):04X} ({unicodedata.name(control).lower()}) "
             "in the text; shown here so that it cannot reorder the text around it")
    return f'<span {_MARKED} data-bidi="{name}" title="{escape(title)}">{control}</span>'


def _marked(text: str) -> str:
    return BIDI_CONTROL.sub(lambda match: bidi_mark(match.group()), text)


def mark_bidi_controls(html: str) -> str:
    """``html`` with each bidi control of its text content wrapped in a visible mark.
    Applying it twice changes nothing more than applying it once."""
    if not BIDI_CONTROL.search(html):
        return html
    out: list[str] = []
    position = 0
    leave_next_text = False
    while (tag := _TAG.search(html, position)) is not None:
        text = html[position:tag.start()]
        out.append(text if leave_next_text else _marked(text))
        out.append(tag.group())
        position = tag.end()
        closing, name = tag.group(1) == "/", (tag.group(2) or "").lower()
        leave_next_text = not closing and (name in _NO_MARKUP or _MARKED in tag.group())
        if not closing and name in _RAW_TEXT and not tag.group().endswith("/>"):
            end_tag = _RAW_TEXT[name].search(html, position)
            end = len(html) if end_tag is None else end_tag.start()
            out.append(html[position:end])
            position = end
    out.append(html[position:] if leave_next_text else _marked(html[position:]))
    return "".join(out)


def _mark_page(response: Response) -> Response:
    if response.mimetype == "text/html" and not response.direct_passthrough and response.is_sequence:
        if not _ANY_CONTROL_IN_UTF8.search(response.get_data()):  # most pages: no decoding, no copy
            return response
        body = response.get_data(as_text=True)
        marked = mark_bidi_controls(body)
        if marked != body:
            response.set_data(marked)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_mark_page)
