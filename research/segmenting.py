"""Splitting normalised text into paragraphs or speaker turns.

A span's ``text[start:end]`` is exactly the segment's content: for a paragraph the block
without surrounding whitespace, for a turn the utterance without its speaker label and
timestamp. Spans are ordered, never empty and never overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    kind: str  # "paragraph" | "turn"
    start: int
    end: int
    speaker: str | None = None
    timestamp_ms: int | None = None


_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_FULL_TIME = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?"


def _timestamp(group: str) -> str:
    """Regex for a bracketed, parenthesised or bare ``h:mm:ss`` timestamp.

    A bare "14:30" is a clock time in prose, not a timestamp, so bare ones need seconds.
    """
    return (
        rf"(?:\[(?P<{group}a>{_TIME})\]|\((?P<{group}b>{_TIME})\)"
        rf"|(?P<{group}c>{_FULL_TIME})(?=\s))"
    )


_LINE = re.compile(
    r"[ \t]*"
    r"(?:" + _timestamp("ts") + r"[ \t]*(?:[-–—][ \t]*)?)?"
    r"(?:\[(?P<bracket>[^\[\]\n:]{1,40})\][ \t]*:?"
    r"|(?P<name>[^\W\d_][\w.'’-]*(?:[ \t]+[\w.'’-]+){0,2})"
    r"[ \t]*(?:" + _timestamp("after") + r"[ \t]*)?:(?=\s|$))?"
    r"[ \t]*",
)

# Role words accepted as labels whatever their case.
_ROLES = frozenset(
    {
        "i", "r", "q", "a", "intervjuare", "intervjuer", "interviewer", "intervjuaren",
        "respondent", "informant", "moderator", "deltagare", "deltaker", "deltager",
        "facilitator", "observatör", "observer",
    }
)  # fmt: skip

# Words that introduce a note or a field in prose, or annotate a transcript; never a speaker.
_NOT_SPEAKERS = frozenset(
    {
        "note", "notes", "nb", "n.b", "obs", "notera", "anm", "anmärkning", "merk",
        "bemærk", "husk", "ps", "p.s", "tips", "tip", "se", "see", "example", "exempel",
        "eksempel", "ex", "varning", "warning", "advarsel", "källa", "kilde", "source",
        "http", "https", "ftp", "mailto", "url", "tel", "telefon", "phone", "email",
        "e-mail", "e-post", "epost", "date", "datum", "dato", "time", "tid", "plats",
        "sted", "place", "subject", "ämne", "emne", "from", "från", "fra", "to", "till",
        "til", "re", "sv", "fw", "fwd", "skratt", "skrattar", "latter", "ler", "paus",
        "pause", "laughter", "laughs", "crosstalk", "inaudible", "ohörbart", "oklart",
        "uhørlig", "sic",
    }
)  # fmt: skip

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class _Label:
    """A speaker label (or timestamp) found at the start of a line."""

    speaker: str | None
    timestamp_ms: int | None
    content_start: int  # offset where the utterance may begin


def segment(text: str) -> list[Span]:
    """Return speaker turns if ``text`` reads as a transcript, otherwise paragraphs.

    In a transcript, continuation lines without a label (also after blank lines) belong
    to the turn before; text before the first turn (a title, an introduction) becomes
    paragraphs so that nothing is left outside a segment.
    """
    lines = list(_lines(text))
    labels = {start: label for start, end in lines if (label := _label(text, start, end))}
    if not _looks_like_transcript(text, lines, labels):
        return _paragraphs(text, 0, len(text))

    spans: list[Span] = []
    first = min(labels)
    spans.extend(_paragraphs(text, 0, first))
    current: _Label | None = None
    start: int | None = None
    end = 0
    for line_start, line_end in lines:
        if line_start < first:
            continue
        label = labels.get(line_start)
        if label is not None:
            if current is not None and start is not None:
                spans.append(Span("turn", start, end, current.speaker, current.timestamp_ms))
            current, start, end = label, None, label.content_start
            content_from = label.content_start
        else:
            content_from = line_start
        stripped = _strip(text, content_from, line_end)
        if stripped is not None:
            if start is None:
                start = stripped[0]
            end = stripped[1]
    if current is not None and start is not None:
        spans.append(Span("turn", start, end, current.speaker, current.timestamp_ms))
    return spans


def speakers(spans: Iterable[Span]) -> list[str]:
    """Return the distinct speakers of ``spans`` in order of first appearance."""
    seen: dict[str, None] = {}
    for span in spans:
        if span.speaker is not None:
            seen.setdefault(span.speaker, None)
    return list(seen)


def speaker_label(line: str) -> tuple[str, int] | None:
    """Return the speaker of a label at the start of ``line`` and where the words begin.

    Used for caption cues, whose own timing makes a timestamp label meaningless.
    """
    label = _label(line, 0, len(line.split("\n", 1)[0]))
    if label is None or label.speaker is None or label.timestamp_ms is not None:
        return None
    return label.speaker, label.content_start


def parse_timestamp(value: str) -> int:
    """Return milliseconds for ``h:mm:ss[.f]``, ``mm:ss[.f]`` (``,`` also as decimal mark)."""
    clock, _, fraction = value.replace(",", ".").partition(".")
    seconds = 0
    for part in clock.split(":"):
        seconds = seconds * 60 + int(part)
    millis = int((fraction + "000")[:3]) if fraction else 0
    return seconds * 1000 + millis


def _lines(text: str) -> Iterator[tuple[int, int]]:
    position = 0
    for line in text.split("\n"):
        yield position, position + len(line)
        position += len(line) + 1


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Return ``(start, end)`` narrowed to exclude surrounding whitespace, or None."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _label(text: str, start: int, end: int) -> _Label | None:
    match = _LINE.match(text, start, end)
    if match is None:
        return None
    stamp = match["tsa"] or match["tsb"] or match["tsc"] or match["aftera"] or match["afterb"]
    stamp = stamp or match["afterc"]
    speaker = _speaker(match["bracket"], match["name"])
    if speaker is None and stamp is None:
        return None
    if match.end() >= end and speaker is None:
        return None  # a timestamp alone on a line carries no turn
    timestamp_ms = parse_timestamp(stamp) if stamp else None
    return _Label(speaker, timestamp_ms, match.end())


def _speaker(bracket: str | None, name: str | None) -> str | None:
    if bracket is not None:
        words = bracket.split()
        if not words or len(words) > 3 or not words[0][0].isalpha():
            return None
    elif name is not None:
        words = name.split()
        first_ok = words[0][0].isupper() or words[0].lower() in _ROLES
        rest_ok = all(word[0].isupper() or word.isdigit() for word in words[1:])
        if not (first_ok and rest_ok):
            return None
    else:
        return None
    if words[0].lower().rstrip(".") in _NOT_SPEAKERS:
        return None
    return " ".join(words)


def _looks_like_transcript(text: str, lines: list[tuple[int, int]], labels: dict[int, _Label]) -> bool:
    """Decide by the share of labelled lines or blocks and by the kind of labels.

    Headings such as "Steg 1:", "Steg 2:" look like labels but each occurs once, so at
    least one speaker must recur unless a label is a role (I, R, Intervjuare, ...) or
    carries a timestamp, and most labelled lines must share speakers with others.
    """
    if len(labels) < 2:
        return False
    nonblank = [start for start, end in lines if _strip(text, start, end) is not None]
    line_share = len(labels) / len(nonblank)
    block_starts = [start for start, _ in _blocks(text, 0, len(text))]
    labelled_blocks = sum(1 for start in block_starts if _line_start(text, start) in labels)
    block_share = labelled_blocks / max(len(block_starts), 1)
    if max(line_share, block_share) < 0.5:
        return False
    named = [label.speaker for label in labels.values() if label.speaker is not None]
    distinct = len(set(named))
    strong = any(label.timestamp_ms is not None or (label.speaker or "").lower() in _ROLES for label in labels.values())
    recurring = distinct < len(named)
    return (strong or recurring) and distinct <= max(2, len(labels) * 3 // 4)


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _blocks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield stripped blocks of ``text[start:end]`` separated by blank lines."""
    position = start
    for separator in _BLANK_LINE.finditer(text, start, end):
        stripped = _strip(text, position, separator.start())
        if stripped is not None:
            yield stripped
        position = separator.end()
    stripped = _strip(text, position, end)
    if stripped is not None:
        yield stripped


def _paragraphs(text: str, start: int, end: int) -> list[Span]:
    """Paragraphs are blocks between blank lines; with no blank line, each line.

    Word processors and many exports put one paragraph per line with no blank lines in
    between, so a text without any blank line is read line by line.
    """
    if _BLANK_LINE.search(text, start, end):
        return [Span("paragraph", s, e) for s, e in _blocks(text, start, end)]
    spans = []
    for line_start, line_end in _lines(text[start:end]):
        stripped = _strip(text, start + line_start, start + line_end)
        if stripped is not None:
            spans.append(Span("paragraph", *stripped))
    return spans
