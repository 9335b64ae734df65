"""Rich Text Format (.rtf) to plain text.

A small tokenizer over the RTF syntax: groups, control words, hex escapes in the
document's ANSI code page, ``\\uN`` Unicode escapes with their ``\\ucN`` fallbacks, and
destinations (font tables, pictures, headers, ...) that hold no body text. ``\\par`` and
``\\row`` end paragraphs, ``\\line`` breaks a line, ``\\cell`` and ``\\tab`` become tabs.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from research.errors import IngestError
from research.parsers.document import ParsedDocument, from_paragraphs

MEDIA_TYPE = "application/rtf"

_TOKEN = re.compile(
    rb"\\(?P<word>[a-zA-Z]{1,32})(?P<arg>-?\d{1,10})? ?"
    rb"|\\'(?P<hex>[0-9a-fA-F]{2})"
    rb"|\\(?P<symbol>[^a-zA-Z'])"
    rb"|(?P<brace>[{}])"
    rb"|(?P<newline>[\r\n]+)"
    rb"|(?P<text>[^\\{}\r\n]+)"
)

_SKIP_DESTINATIONS = frozenset(
    {
        "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header", "headerl",
        "headerr", "headerf", "footer", "footerl", "footerr", "footerf", "footnote",
        "annotation", "fldinst", "themedata", "colorschememapping", "datastore",
        "latentstyles", "listtable", "listoverridetable", "rsidtbl", "generator",
        "xmlnstbl", "mmathPr", "pgdsctbl", "filetbl", "revtbl", "bkmkstart", "bkmkend",
        "private", "userprops", "xe", "tc", "txe", "atnid", "atnauthor", "comment",
        "nonshppict", "blipuid", "shpinst", "sp", "sn", "sv",
    }
)  # fmt: skip

_SPECIAL = {
    "tab": "\t", "cell": "\t", "line": "\n", "emdash": "\u2014", "endash": "\u2013",
    "lquote": "\u2018", "rquote": "\u2019", "ldblquote": "\u201c", "rdblquote": "\u201d",
    "bullet": "\u2022", "emspace": "\u2003", "enspace": "\u2002", "qmspace": "\u2005",
}  # fmt: skip
_SYMBOLS = {"~": "\u00a0", "_": "\u2011", "\\": "\\", "{": "{", "}": "}"}
_MAX_DEPTH = 1000


@dataclass
class _Group:
    skip: bool
    unicode_skip: int


def parse_rtf(data: bytes) -> ParsedDocument:
    paragraphs, encoding = rtf_to_paragraphs(data)
    return from_paragraphs(paragraphs, media_type=MEDIA_TYPE, encoding=encoding)


def rtf_to_paragraphs(data: bytes) -> tuple[list[str], str]:
    """Return the body paragraphs of an RTF document and its ANSI code page."""
    if not data.lstrip().startswith(b"{\\rtf"):
        raise IngestError("The file is not an RTF document (it does not start with {\\rtf).")
    converter = _Converter()
    converter.run(data)
    return converter.paragraphs, converter.encoding


class _Converter:
    def __init__(self) -> None:
        self.encoding = "cp1252"
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.pending: bytearray = bytearray()  # hex-escaped bytes awaiting decoding
        self.stack: list[_Group] = []
        self.group = _Group(skip=False, unicode_skip=1)
        self.to_skip = 0  # fallback characters still to drop after a \uN

    def run(self, data: bytes) -> None:
        position = 0
        while position < len(data):
            match = _TOKEN.match(data, position)
            if match is None:  # a lone backslash at the very end
                break
            position = match.end()
            if match["word"] is not None:
                word = match["word"].decode("ascii")
                argument = int(match["arg"]) if match["arg"] is not None else None
                if word == "bin" and argument:
                    position += max(argument, 0)  # raw binary data, never text
                    continue
                self._control(word, argument)
            elif match["hex"] is not None:
                self._byte(int(match["hex"], 16))
            elif match["symbol"] is not None:
                self._symbol(match["symbol"].decode("latin-1"))
            elif match["brace"] is not None:
                self._brace(match["brace"])
            elif match["text"] is not None:
                for value in match["text"]:
                    self._byte(value)
        self._flush_bytes()
        self._end_paragraph()

    def _brace(self, brace: bytes) -> None:
        self._flush_bytes()
        if brace == b"{":
            if len(self.stack) >= _MAX_DEPTH:
                raise IngestError("The RTF document nests groups too deeply to be read.")
            self.stack.append(self.group)
            self.group = _Group(self.group.skip, self.group.unicode_skip)
        elif self.stack:
            self.group = self.stack.pop()
        self.to_skip = 0

    def _symbol(self, symbol: str) -> None:
        if symbol == "*":
            self.group.skip = True
        elif symbol in _SYMBOLS:
            self._emit(_SYMBOLS[symbol])
        # other symbols (\- optional hyphen, \: index subentry, ...) produce no text

    def _control(self, word: str, argument: int | None) -> None:
        self._flush_bytes()
        if word in _SKIP_DESTINATIONS:
            self.group.skip = True
        elif word == "ansicpg" and argument is not None:
            self._set_code_page(argument)
        elif word == "uc" and argument is not None:
            self.group.unicode_skip = max(argument, 0)
        elif word == "u" and argument is not None:
            self._emit(chr(argument + 65536 if argument < 0 else argument))
            self.to_skip = self.group.unicode_skip
        elif word in ("par", "row", "sect", "page"):
            self._end_paragraph()
        elif word in _SPECIAL:
            self._emit(_SPECIAL[word])

    def _set_code_page(self, code_page: int) -> None:
        name = f"cp{code_page}"
        try:
            codecs.lookup(name)
        except LookupError:
            return
        self.encoding = name

    def _byte(self, value: int) -> None:
        if self.to_skip:
            self.to_skip -= 1
            return
        if not self.group.skip:
            self.pending.append(value)

    def _flush_bytes(self) -> None:
        if self.pending:
            self.current.append(bytes(self.pending).decode(self.encoding, errors="replace"))
            self.pending.clear()

    def _emit(self, text: str) -> None:
        if self.group.skip:
            return
        self._flush_bytes()
        self.current.append(text)

    def _end_paragraph(self) -> None:
        self._flush_bytes()
        if not self.group.skip:
            # Characters outside the BMP arrive as two \uN surrogate halves.
            joined = "".join(self.current).encode("utf-16-le", "surrogatepass")
            self.paragraphs.append(joined.decode("utf-16-le", "replace"))
            self.current = []
