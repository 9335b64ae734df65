"""Pseudonymisation: find names of people, places and organisations in a source, let
the owner review them, and store a pseudonymised copy as a new source. The key (term
-> replacement) is kept apart from the text, in its own table, for owners only."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from research.db import Base, utcnow
from research.errors import InvalidInput
from research.participants import Participant
from research.segmenting import segment
from research.sources import Source, SpeakerMapping, add_source, get_source

KINDS = ("person", "place", "organisation", "other")
_PREFIX = {"person": "P", "place": "L", "organisation": "O", "other": "X"}
_CAPITALISED = re.compile(r"(?<![\w.])([A-ZÅÄÖÆØÉ][a-zåäöæøéü]+(?:[ -][A-ZÅÄÖÆØÉ][a-zåäöæøéü]+)*)")
_SENTENCE_START = re.compile(r"(^|[.!?:]\s+|\n\s*)$")
# Capitalised words that are rarely names (pronouns, days, months, greetings, labels).
_COMMON = frozenset("""
jag du han hon vi ni de det den man och men så nu då här där vad hur när var vem varför ja nej tack hej okej
i och en ett att som med för till från på om eller inte också bara mycket alltså liksom
jeg hun vi dere det og men nå her der hva hvordan når hvem hvorfor takk hei
the a an and but so now then here there what how when where who why yes no thanks hello okay i we you they it
måndag tisdag onsdag torsdag fredag lördag söndag januari februari mars april maj juni juli augusti september
oktober november december monday tuesday wednesday thursday friday saturday sunday january february march
may june july august october intervjuare interviewer respondent moderator
""".split())


class PseudonymTerm(Base):
    """A project's list of names to look for in every source (people, places, organisations)."""

    __tablename__ = "pseudonym_term"
    __table_args__ = (UniqueConstraint("project_id", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    term: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), default="other")


class PseudonymKey(Base):
    """Which term became which replacement in a pseudonymised copy. Owners only."""

    __tablename__ = "pseudonym_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)  # the copy
    original_source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"))
    entries: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[term, replacement, kind], ...]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Candidate:
    term: str
    kind: str
    count: int
    replacement: str
    origin: str  # participant | project list | capitalised


def set_terms(session: Session, *, project_id: int, lines: str) -> list[PseudonymTerm]:
    """Replace the project's list from lines of ``term`` or ``term | kind``."""
    for old in session.scalars(select(PseudonymTerm).where(PseudonymTerm.project_id == project_id)):
        session.delete(old)
    session.flush()
    seen: dict[str, PseudonymTerm] = {}
    for line in lines.splitlines():
        term, _, kind = (part.strip() for part in line.partition("|"))
        if not term:
            continue
        kind = kind.lower() or "other"
        if kind not in KINDS:
            raise InvalidInput(f"'{kind}' is not a kind of name; use {', '.join(KINDS)}.")
        if term not in seen:
            seen[term] = PseudonymTerm(project_id=project_id, term=term[:200], kind=kind)
            session.add(seen[term])
    session.flush()
    return list(seen.values())


def terms_of(session: Session, project_id: int) -> list[PseudonymTerm]:
    return list(session.scalars(select(PseudonymTerm).where(PseudonymTerm.project_id == project_id)
                                .order_by(PseudonymTerm.term)))


def find_candidates(session: Session, *, project_id: int, source_id: int) -> list[Candidate]:
    """Names to review: participant names, the project's list, then capitalised words
    that do not start a sentence (a heuristic: it finds most names and some other words)."""
    source = get_source(session, project_id=project_id, source_id=source_id)
    text = source.text
    participants = list(session.scalars(select(Participant).where(Participant.project_id == project_id)
                                        .order_by(Participant.id)))
    codes = {p.name: f"P{n:02d}" for n, p in enumerate(participants, start=1)}
    found: dict[str, Candidate] = {}
    counters = {kind: 0 for kind in KINDS}

    def add(term: str, kind: str, origin: str, replacement: str | None = None) -> None:
        count = len(_pattern(term).findall(text))
        if count == 0 or term in found:
            return
        if replacement is None:
            counters[kind] += 1
            replacement = f"{_PREFIX[kind]}{counters[kind]:02d}" if kind != "person" else \
                f"P{len(participants) + counters[kind]:02d}"
        found[term] = Candidate(term, kind, count, replacement, origin)

    for participant in participants:
        add(participant.name, "person", "participant", codes[participant.name])
        for part in participant.name.split():
            if len(part) > 2 and part != participant.name:
                add(part, "person", "participant", codes[participant.name])
    for term in terms_of(session, project_id):
        add(term.term, term.kind, "project list")
    labels = {m.label for m in session.scalars(select(SpeakerMapping).where(SpeakerMapping.source_id == source.id))}
    guesses: Counter[str] = Counter()
    for match in _CAPITALISED.finditer(text):
        word = match.group(1)
        if word.casefold() in _COMMON or _SENTENCE_START.search(text[max(0, match.start() - 3):match.start()]):
            continue
        guesses[word] += 1
    for word, _ in guesses.most_common():
        if word not in found and word not in labels and not any(word in term for term in found):
            add(word, "other", "capitalised")
    return list(found.values())


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w]){re.escape(term)}(?![\w])")


def pseudonymise(session: Session, *, project_id: int, source_id: int, entries: list[tuple[str, str, str]],
                 user_id: int | None) -> tuple[Source, PseudonymKey]:
    """Store a copy of the source with each term replaced (longest terms first, whole
    words only), segmented anew, with the speaker mapping carried over; store the key."""
    original = get_source(session, project_id=project_id, source_id=source_id)
    entries = [(t.strip(), r.strip(), k if k in KINDS else "other") for t, r, k in entries if t.strip()]
    if not entries:
        raise InvalidInput("Choose at least one name to replace.")
    if any(not replacement for _, replacement, _ in entries):
        raise InvalidInput("Every chosen name needs a replacement.")
    ordered = sorted(entries, key=lambda entry: len(entry[0]), reverse=True)
    combined = re.compile("|".join(_pattern(term).pattern for term, _, _ in ordered))
    lookup = {term: replacement for term, replacement, _ in ordered}
    text = combined.sub(lambda m: lookup[m.group(0)], original.text)
    identity = hashlib.sha256(f"{original.sha256}\x00{sorted(entries)}".encode()).hexdigest()
    copy = add_source(
        session, project_id=project_id, kind=original.kind, name=f"{original.name} (pseudonymised)", text=text,
        spans=segment(text), original=text.encode("utf-8"), original_name=f"{original.name}-pseudonymised.txt",
        media_type="text/plain", language=original.language, participant_id=original.participant_id,
        encoding="utf-8", details={**original.details, "pseudonymised_from": original.id}, created_by=user_id,
        identity=identity,
    )
    mappings = session.scalars(select(SpeakerMapping).where(SpeakerMapping.source_id == original.id))
    by_label = {}
    for mapping in mappings:
        label = combined.sub(lambda m: lookup[m.group(0)], mapping.label)
        by_label[label] = mapping.participant_id
        session.add(SpeakerMapping(source_id=copy.id, label=label, participant_id=mapping.participant_id,
                                   is_interviewer=mapping.is_interviewer))
    for segment_row in copy.segments:
        if segment_row.speaker is not None:
            segment_row.participant_id = by_label.get(segment_row.speaker)
    key = PseudonymKey(project_id=project_id, source_id=copy.id, original_source_id=original.id,
                       entries=[list(entry) for entry in entries], created_by=user_id)
    session.add(key)
    session.flush()
    return copy, key


def keys_of(session: Session, project_id: int) -> list[PseudonymKey]:
    return list(session.scalars(select(PseudonymKey).where(PseudonymKey.project_id == project_id)
                                .order_by(PseudonymKey.created_at.desc())))


def forget_term(session: Session, *, project_id: int, term: str) -> None:
    """Drop a term (an erased participant's name) from every key and the project list."""
    for key in keys_of(session, project_id):
        kept = [entry for entry in key.entries if entry[0] != term and term not in entry[0].split()]
        if kept != key.entries:
            key.entries = kept
    for row in session.scalars(select(PseudonymTerm).where(PseudonymTerm.project_id == project_id,
                                                           PseudonymTerm.term == term)):
        session.delete(row)
    session.flush()
