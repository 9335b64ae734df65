"""How a suggestion is shown: its code or proposed code, and the span in context."""

from __future__ import annotations

import re
from typing import Any

from coding.codebook import Code
from coding.kinds import CodeKind
from coding.suggestions import Suggestion
from research.sources import Source

_SENTENCE_END = re.compile(r"[.!?…]+[\"»”')\]]*\s+|\n+")
_MAX_CONTEXT = 320


def _sentence_start(text: str, index: int) -> int:
    """Start of the sentence holding `index`."""
    start = 0
    for match in _SENTENCE_END.finditer(text, 0, index):
        start = match.end()
    return start


def _sentence_end(text: str, index: int) -> int:
    """End of the sentence holding `index`, its closing punctuation included."""
    match = _SENTENCE_END.search(text, index)
    return match.start() + len(match.group().rstrip()) if match else len(text)


def context_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the span's sentence, with one sentence either side, begins and ends."""
    begin = _sentence_start(text, start)
    if begin > 0:
        back = begin
        while back > 0 and (text[back - 1].isspace() or text[back - 1] in ".!?…\"»”')]"):
            back -= 1
        begin = _sentence_start(text, back)
    stop = _sentence_end(text, end)
    if stop < len(text):
        ahead = stop
        while ahead < len(text) and text[ahead].isspace():
            ahead += 1
        if ahead < len(text):
            stop = _sentence_end(text, ahead)
    begin = max(begin, start - _MAX_CONTEXT)
    return begin, min(stop, end + _MAX_CONTEXT)


def context(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, span, after): the span with its sentence and one sentence either side."""
    begin, stop = context_bounds(text, start, end)
    before, after = text[begin:start], text[end:stop]
    if begin > 0:
        before = "…" + before.lstrip()
    if stop < len(text):
        after = after.rstrip() + "…"
    return before, text[start:end], after


def kind_label(kind: str | None) -> str:
    try:
        return CodeKind(kind or "").label
    except ValueError:
        return kind or ""


def suggestion_json(s: Suggestion, codes: dict[int, Code], sources: dict[int, Source] | None = None) -> dict[str, Any]:
    code = codes.get(s.code_id) if s.code_id is not None else None
    data: dict[str, Any] = {
        "id": s.id, "source_id": s.source_id, "start": s.start, "end": s.end, "status": s.status.value,
        "code_id": s.code_id, "code_name": code.name if code else None,
        "kind": code.kind.value if code else s.proposed_kind,
        "proposed_kind": s.proposed_kind if code is None else None,
        "proposed_name": s.proposed_name if code is None else None,
        "ownership": (s.extra or {}).get("ownership") if code is None else code.ownership,
        "score": round(s.score, 4), "rationale": s.rationale, "suggester": s.suggester,
        "model_version": s.model_version,
        "decided_by": s.decided_by, "decided_at": s.decided_at.isoformat() if s.decided_at else None,
        "coding_id": s.coding_id,
    }
    source = (sources or {}).get(s.source_id)
    if source is not None:
        before, span, after = context(source.text, s.start, s.end)
        begin, stop = context_bounds(source.text, s.start, s.end)
        data.update(text=span, before=before, after=after, context_start=begin, context=source.text[begin:stop])
    return data
