"""WebVTT (.vtt) and SubRip (.srt) captions: every cue becomes a timestamped turn.

The produced text has one cue per block, blocks separated by blank lines. A cue with a
speaker (a ``<v Name>`` voice tag or a ``Name:`` prefix) is written ``Name: utterance``
so the text reads like a transcript; the turn's span covers the utterance only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from research.errors import IngestError
from research.parsers.document import ParsedDocument
from research.segmenting import Span, parse_timestamp, speaker_label
from research.text import decode, normalise

VTT_MEDIA_TYPE = "text/vtt"
SRT_MEDIA_TYPE = "application/x-subrip"

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*"
    r"(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+(?P<name>[^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[^>]*>|\{\\[^}]*\}")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": "\u00a0", "&lrm;": "", "&rlm;": ""}
_ENTITY = re.compile("|".join(re.escape(entity) for entity in _ENTITIES))


@dataclass(frozen=True)
class Cue:
    start_ms: int
    speaker: str | None
    text: str


def parse_vtt(data: bytes) -> ParsedDocument:
    decoded = decode(data)
    text = normalise(decoded.text)
    if not re.match(r"WEBVTT(?:[ \t].*)?(?:\n|$)", text):
        raise IngestError("The file is not a WebVTT caption file (it does not start with WEBVTT).")
    cues = [cue for block in _blocks(text)[1:] if (cue := _cue(block, vtt=True))]
    return _document(cues, VTT_MEDIA_TYPE, decoded.encoding, decoded.warning)


def parse_srt(data: bytes) -> ParsedDocument:
    decoded = decode(data)
    text = normalise(decoded.text)
    cues = [cue for block in _blocks(text) if (cue := _cue(block, vtt=False))]
    return _document(cues, SRT_MEDIA_TYPE, decoded.encoding, decoded.warning)


def _blocks(text: str) -> list[list[str]]:
    return [block.split("\n") for block in re.split(r"\n[ \t]*\n", text.strip()) if block]


def _cue(lines: list[str], *, vtt: bool) -> Cue | None:
    """Read one cue block; blocks without a timing line (NOTE, STYLE, REGION) give None."""
    timings = [(index, found) for index, line in enumerate(lines[:2]) if (found := _TIMING.match(line))]
    if not timings:
        return None
    timing_line, timing = timings[0]
    body = "\n".join(lines[timing_line + 1 :])
    speaker = None
    voice = _VOICE.search(body) if vtt else None
    if voice is not None:
        speaker = " ".join(voice["name"].split())
    body = _ENTITY.sub(lambda m: _ENTITIES[m.group()], _TAG.sub("", body))
    body = "\n".join(line.strip() for line in body.split("\n")).strip()
    if speaker is None:
        label = speaker_label(body)
        if label is not None:
            speaker, offset = label
            body = body[offset:].strip()
    if not body:
        return None
    return Cue(parse_timestamp(timing["start"]), speaker, body)


def _document(cues: list[Cue], media_type: str, encoding: str, warning: str | None) -> ParsedDocument:
    if not cues:
        raise IngestError("The caption file contains no cues with text.")
    parts: list[str] = []
    spans: list[Span] = []
    position = 0
    for cue in cues:
        if parts:
            parts.append("\n\n")
            position += 2
        prefix = f"{cue.speaker}: " if cue.speaker else ""
        parts.append(prefix + cue.text)
        start = position + len(prefix)
        position = start + len(cue.text)
        spans.append(Span("turn", start, position, cue.speaker, cue.start_ms))
    return ParsedDocument("".join(parts), media_type, encoding, [warning] if warning else [], spans)
