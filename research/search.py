"""Full-text search of a project's segments: one function over FTS5 (SQLite) and
tsvector (PostgreSQL).

Query syntax, the same on both databases: words must all occur (in any order); a
word matches itself and longer words it begins ("lån" finds "lånet", useful for
Nordic compounds); "quoted words" must occur together, exactly. Case is ignored;
å, ä, ö, æ and ø are letters of their own. The index is kept by database triggers
(migration 0003), so it follows every insert, change and delete of a segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from research.errors import InvalidInput
from research.sources import SourceKind

_WORD = re.compile(r"[^\W_]+")
_PART = re.compile(r'"([^"]*)"?|(\S+)')
MAX_TERMS = 12
SNIPPET_CONTEXT = 70
COUNT_LIMIT = 1000
# Whose words a segment holds: a turn's own participant (none for the interviewer);
# other segments belong to their source's participant.
_PARTICIPANT = ("CASE WHEN segment.speaker IS NOT NULL THEN segment.participant_id"
                " ELSE COALESCE(segment.participant_id, source.participant_id) END")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool  # bare words match longer words they begin; quoted phrases match exactly


@dataclass(frozen=True)
class Hit:
    segment_id: int
    source_id: int
    source_name: str
    source_kind: SourceKind
    start: int  # the segment's offsets in its source
    end: int
    speaker: str | None
    participant: str | None
    before: str  # keyword in context: text before the first match, the match, the text after
    match: str
    after: str
    match_start: int  # offset of the match in the source


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    total: int  # capped at COUNT_LIMIT
    total_capped: bool


def parse_query(query: str) -> list[Term]:
    """Split what the user typed into terms; punctuation outside words is ignored."""
    terms = []
    for match in _PART.finditer(query or ""):
        phrase, bare = match.group(1), match.group(2)
        words = tuple(w.lower() for w in _WORD.findall(phrase if phrase is not None else bare))
        if words:
            terms.append(Term(words, prefix=phrase is None and len(words) == 1))
    return terms[:MAX_TERMS]


def search_segments(
    session: Session,
    *,
    project_id: int,
    query: str,
    kind: SourceKind | None = None,
    speaker: str | None = None,
    attribute_id: int | None = None,
    attribute_value: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> SearchResult:
    """The segments of a project that match ``query``, best first, with snippets.

    Filters: the kind of source, the speaker label of a turn, and a participant
    attribute's value (the segment's participant, or else its source's)."""
    terms = parse_query(query)
    if not terms:
        raise InvalidInput("Type one or more words to search for.")
    dialect = session.get_bind().dialect.name
    params: dict[str, Any] = {"project_id": project_id, "limit": max(1, min(limit, 200)), "offset": max(0, offset)}
    where = ["source.project_id = :project_id"]
    if kind is not None:
        where.append("source.kind = :kind")
        params["kind"] = kind.value
    if speaker:
        where.append("segment.speaker = :speaker")
        params["speaker"] = speaker
    if attribute_id is not None:
        where.append(
            "EXISTS (SELECT 1 FROM attribute_value AS av WHERE av.attribute_id = :attribute_id"
            f" AND av.participant_id = {_PARTICIPANT}"
            + (" AND av.value = :attribute_value)" if attribute_value else ")")
        )
        params["attribute_id"] = attribute_id
        if attribute_value:
            params["attribute_value"] = attribute_value
    if dialect == "postgresql":
        params["q"] = _tsquery(terms)
        match_from = "segment JOIN source ON source.id = segment.source_id"
        where.insert(0, "segment.search_vector @@ to_tsquery('simple', :q)")
        order = "ts_rank(segment.search_vector, to_tsquery('simple', :q)) DESC, segment.id"
        body = 'substr(source.text, segment.start + 1, segment."end" - segment.start)'
    else:
        params["q"] = _fts5_query(terms)
        match_from = ("segment_search JOIN segment ON segment.id = segment_search.rowid"
                      " JOIN source ON source.id = segment.source_id")
        where.insert(0, "segment_search MATCH :q")
        order = "segment_search.rank, segment.id"
        body = "segment_search.body"  # FTS5 keeps a copy: no walk through the source text
    condition = " AND ".join(where)
    rows = session.execute(text(
        f"SELECT segment.id, segment.source_id, source.name, source.kind, segment.start, segment.\"end\","
        f" segment.speaker, participant.name,"
        f" {body}"
        f" FROM {match_from}"
        f" LEFT JOIN participant ON participant.id = {_PARTICIPANT}"
        f" WHERE {condition} ORDER BY {order} LIMIT :limit OFFSET :offset"  # noqa: S608 - only fixed SQL is formatted
    ), params).all()
    total = session.execute(text(
        f"SELECT count(*) FROM (SELECT 1 FROM {match_from} WHERE {condition} LIMIT {COUNT_LIMIT + 1}) AS found"
    ), params).scalar_one()
    pattern = _snippet_pattern(terms)
    hits = [_hit(row, pattern) for row in rows]
    return SearchResult(query, hits, min(total, COUNT_LIMIT), total > COUNT_LIMIT)


def _fts5_query(terms: list[Term]) -> str:
    # Every word is quoted, so nothing the user types is read as FTS5 syntax.
    return " AND ".join('"' + " ".join(t.words) + '"' + ("*" if t.prefix else "") for t in terms)


def _tsquery(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        lexemes = [_ts_lexeme(word) for word in term.words]
        if term.prefix:
            parts.append(f"{lexemes[0]}:*")
        else:
            parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


def _ts_lexeme(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'"


def _snippet_pattern(terms: list[Term]) -> re.Pattern[str]:
    alternatives = []
    for term in terms:
        body = r"[^\w]+".join(re.escape(word) for word in term.words)
        alternatives.append(rf"(?<![^\W_]){body}" + (r"[^\W_]*" if term.prefix else r"(?![^\W_])"))
    return re.compile("|".join(alternatives), re.IGNORECASE)


def keyword_in_context(segment_text: str, pattern: re.Pattern[str],
                       context: int = SNIPPET_CONTEXT) -> tuple[str, str, str, int]:
    """(before, match, after, match offset in the segment), cut at word boundaries."""
    found = pattern.search(segment_text)
    if found is None:  # the database matched what the pattern cannot see (e.g. tokenisation): show the start
        head = segment_text[: context * 2]
        return "", "", head + ("…" if len(segment_text) > len(head) else ""), 0
    start, end = found.span()
    left = max(0, start - context)
    if left > 0:
        space = segment_text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    right = min(len(segment_text), end + context)
    if right < len(segment_text):
        space = segment_text.rfind(" ", end, right)
        right = space if space != -1 else right
    before = ("…" if left > 0 else "") + segment_text[left:start]
    after = segment_text[end:right] + ("…" if right < len(segment_text) else "")
    return before, segment_text[start:end], after, start


def _hit(row: Any, pattern: re.Pattern[str]) -> Hit:
    segment_id, source_id, name, kind, start, end, speaker, participant, body = row
    before, match, after, at = keyword_in_context(body or "", pattern)
    return Hit(segment_id, source_id, name, SourceKind(kind), start, end, speaker, participant,
               before, match, after, start + at)


def speakers_of_project(session: Session, project_id: int) -> list[str]:
    return list(session.scalars(text(
        "SELECT DISTINCT segment.speaker FROM segment JOIN source ON source.id = segment.source_id"
        " WHERE source.project_id = :project_id AND segment.speaker IS NOT NULL ORDER BY segment.speaker"
    ), {"project_id": project_id}))
