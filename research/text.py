"""Decoding uploaded bytes to text and normalising text for storage.

Stored text is NFC with ``\\n`` line endings and no BOM; every offset in Kundstig is a
code-point index into that text (0-based, end-exclusive).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes

from research.errors import IngestError

# Longest first: the UTF-32-LE BOM starts with the UTF-16-LE BOM.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# The single-byte encodings Nordic text realistically arrives in when it is not UTF-8.
_LEGACY_CANDIDATES = ("cp1252", "mac_roman", "iso-8859-15")

# Non-ASCII characters that are ordinary in Nordic and English prose; a legacy decoding
# that produces mostly these is taken to be the right one.
_PLAUSIBLE = frozenset("åäöøæÅÄÖØÆéèêëÉÈüÜáàâÁóòôÓúùûÚíìîÍñÑçÇÿ«»‹›–—‘’‚“”„…•€£§°½¼¾´¨·±×÷©®™ªº¹²³µ¶¡¿\u00a0")

# Encodings in which UTF-8 bytes are typically misread, producing mojibake such as
# "Ã¥" for "å" (cp1252) or "Ă„" (cp1250).
_MISREAD_AS = ("cp1252", "cp1250", "latin-1", "mac_roman")

_MOJIBAKE_WARNING = (
    "The text looks double-encoded (for example 'Ã¥' or 'â€™' where 'å' or '’' was "
    "meant): it was probably saved from UTF-8 through another encoding. Check the "
    "original file and re-save it as UTF-8 before coding it."
)
_REPLACEMENT_WARNING = (
    "The text contains replacement characters (�) where letters were lost before the "
    "file was saved. Check the original file and re-save it as UTF-8 before coding it."
)
_GUESSED_WARNING = (
    "The file is not UTF-8 and its encoding could only be guessed ({encoding}); check "
    "that its letters look right, or re-save it as UTF-8 and upload it again."
)


def normalise(text: str) -> str:
    """Return ``text`` without a leading BOM, with ``\\n`` line endings, in NFC."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class DecodedText:
    """Decoded (not yet normalised) text, the encoding used and a warning if suspicious."""

    text: str
    encoding: str
    warning: str | None


def decode(data: bytes) -> DecodedText:
    """Decode uploaded bytes, detecting the encoding and flagging broken text.

    Order: a BOM decides; otherwise strict UTF-8; otherwise UTF-16 without BOM (many NUL
    bytes in one column); otherwise the best of the Nordic single-byte encodings;
    otherwise charset-normalizer's guess. Binary data raises :class:`IngestError`.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise IngestError(
                    f"The file starts with a {encoding.upper()} byte order mark but is not "
                    f"valid {encoding.upper()} text; re-save it as UTF-8 and upload it again."
                ) from error
            return DecodedText(text, encoding, _suspicion(text))

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _reject_binary_text(text)
        return DecodedText(text, "utf-8", _suspicion(text))

    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return DecodedText(utf16[0], utf16[1], _suspicion(utf16[0]))

    if b"\x00" in data:
        raise IngestError(_binary_message())

    encoding, text, confident = _best_legacy(data)
    _reject_binary_text(text)
    warning = _suspicion(text)
    if warning is None and not confident:
        warning = _GUESSED_WARNING.format(encoding=encoding)
    return DecodedText(text, encoding, warning)


def _binary_message() -> str:
    return (
        "The file does not contain text (it looks like binary data); upload it as "
        ".txt, .docx, .odt, .rtf, .html or .pdf."
    )


def _reject_binary_text(text: str) -> None:
    """Raise when decoded 'text' is mostly control characters, i.e. really binary."""
    if not text:
        return
    controls = sum(1 for ch in text if (ch < " " and ch not in "\t\n\r\f\v") or ch == "\x7f")
    if "\x00" in text or controls / len(text) > 0.05:
        raise IngestError(_binary_message())


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """Recognise UTF-16 without a BOM by NUL bytes in every other position."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        encoding = "utf-16-le"
    elif even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return text, encoding


def _plausibility(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are ordinary prose characters."""
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return 1.0
    return sum(1 for ch in non_ascii if ch in _PLAUSIBLE) / len(non_ascii)


def _best_legacy(data: bytes) -> tuple[str, str, bool]:
    """Pick the single-byte decoding; return (encoding, text, confident)."""
    scored: list[tuple[float, str, str]] = []
    for encoding in _LEGACY_CANDIDATES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((_plausibility(text), encoding, text))
    # max() keeps the first of equal scores, so the candidate order breaks ties.
    best_score, best_encoding, best_text = max(scored, key=lambda item: item[0])
    if best_score >= 0.9:
        return best_encoding, best_text, True

    match = from_bytes(data).best()
    if match is not None and match.encoding:
        return match.encoding, str(match), False
    return best_encoding, best_text, False


def _suspicion(text: str) -> str | None:
    """Return a warning sentence when decoded text shows signs of broken encoding."""
    if "\ufffd" in text:
        return _REPLACEMENT_WARNING
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    if non_ascii == 0:
        return None
    found = count_mojibake(text)
    # A stray 'Å”' in clean prose is possible; real mojibake makes up much of the text.
    if found and found / non_ascii >= 0.05:
        return _MOJIBAKE_WARNING
    return None


def count_mojibake(text: str) -> int:
    """Count places where UTF-8 bytes were evidently read as a single-byte encoding.

    A place is a run of two to four characters that, encoded back with cp1252, cp1250,
    latin-1 or Mac Roman, form one valid UTF-8 sequence for a Latin letter or a
    punctuation mark (e.g. 'Ã¥' → 'å', 'â€™' → '’', 'Ă„' → 'Ä').
    """
    count = 0
    index = 0
    length = len(text)
    while index < length:
        if ord(text[index]) < 0xC0:
            index += 1
            continue
        width = _mojibake_width(text, index)
        if width:
            count += 1
            index += width
        else:
            index += 1
    return count


def _mojibake_width(text: str, index: int) -> int:
    for encoding in _MISREAD_AS:
        try:
            lead = text[index].encode(encoding)
        except UnicodeEncodeError:
            continue
        first = lead[0]
        if 0xC2 <= first <= 0xDF:
            width = 2
        elif 0xE0 <= first <= 0xEF:
            width = 3
        else:
            continue
        try:
            raw = text[index : index + width].encode(encoding)
        except UnicodeEncodeError:
            continue
        if len(raw) != width:
            continue
        try:
            repaired = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        code = ord(repaired)
        if 0xA0 <= code <= 0x24F or 0x2000 <= code <= 0x206F or code == 0x20AC:
            return width
    return 0


# Unicode bidirectional controls: invisible, yet an override or an embedding reorders the
# rest of its paragraph ("Trojan Source"). Stored text keeps them (offsets count them);
# pages show each as a visible mark instead (app/bidi_marks.py).
BIDI_CONTROLS: dict[str, str] = {
    "\u061c": "ALM", "\u200e": "LRM", "\u200f": "RLM",
    "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO",
    "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI",
}
BIDI_CONTROL = re.compile(f"[{''.join(BIDI_CONTROLS)}]")
