"""Telling who spoke: each speaker label of a source is mapped to a participant,
to the interviewer, or left open. Turns follow their speaker's mapping."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from research.errors import InvalidInput
from research.participants import Participant, create_participant, get_participant
from research.sources import Segment, Source, SpeakerMapping, get_source

# Labels that name the person asking the questions, whatever the language.
INTERVIEWER_LABELS = frozenset({
    "i", "q", "intervjuare", "intervjuer", "intervjuaren", "interviewer", "moderator", "facilitator",
    "interviewer 1",
})


@dataclass(frozen=True)
class SpeakerChoice:
    """``interviewer``, ``participant`` (with ``participant_id``), ``new`` (with ``name``) or ``none``."""

    action: str
    participant_id: int | None = None
    name: str = ""

    @classmethod
    def parse(cls, value: str, new_name: str = "") -> SpeakerChoice:
        """Read a form or API value: "interviewer", "none", "new" or "participant:<id>"."""
        value = (value or "").strip()
        if value in ("interviewer", "none", ""):
            return cls(value or "none")
        if value == "new":
            return cls("new", name=new_name)
        prefix, _, number = value.partition(":")
        if prefix == "participant" and number.isdigit():
            return cls("participant", participant_id=int(number))
        raise InvalidInput(f"Unknown speaker choice '{value}'.")


@dataclass(frozen=True)
class SpeakerRow:
    label: str
    turns: int
    participant_id: int | None
    is_interviewer: bool
    suggestion: str  # the form value proposed when nothing is mapped yet


def speaker_rows(session: Session, source: Source) -> list[SpeakerRow]:
    """The speakers of a source in order of appearance, with the current mapping and a proposal."""
    mappings = {m.label: m for m in session.scalars(
        select(SpeakerMapping).where(SpeakerMapping.source_id == source.id))}
    counts: dict[str, int] = {}
    for segment in source.segments:
        if segment.speaker is not None:
            counts[segment.speaker] = counts.get(segment.speaker, 0) + 1
    by_name = {p.name.casefold(): p.id for p in session.scalars(
        select(Participant).where(Participant.project_id == source.project_id))}
    rows = []
    for label in dict.fromkeys([*counts, *mappings]):
        mapping = mappings.get(label)
        participant_id = mapping.participant_id if mapping else None
        interviewer = bool(mapping and mapping.is_interviewer)
        if interviewer:
            suggestion = "interviewer"
        elif participant_id is not None:
            suggestion = f"participant:{participant_id}"
        elif label.casefold() in INTERVIEWER_LABELS:
            suggestion = "interviewer"
        elif label.casefold() in by_name:
            suggestion = f"participant:{by_name[label.casefold()]}"
        else:
            suggestion = "new"
        rows.append(SpeakerRow(label, counts.get(label, 0), participant_id, interviewer, suggestion))
    return rows


def map_speakers(session: Session, *, project_id: int, source_id: int,
                 choices: dict[str, SpeakerChoice]) -> Source:
    """Apply the choices: mapping rows, each turn's participant, and the source's participant
    (set when exactly one participant speaks in it, so erasing that person removes the source)."""
    source = get_source(session, project_id=project_id, source_id=source_id)
    existing = {m.label: m for m in session.scalars(
        select(SpeakerMapping).where(SpeakerMapping.source_id == source.id))}
    known = {s.speaker for s in source.segments if s.speaker is not None} | set(existing)
    for label, choice in choices.items():
        if label not in known:
            raise InvalidInput(f"'{label}' is not a speaker of '{source.name}'.")
        mapping = existing.get(label)
        if mapping is None:
            mapping = SpeakerMapping(source_id=source.id, label=label)
            session.add(mapping)
            existing[label] = mapping
        participant_id: int | None = None
        if choice.action == "participant":
            assert choice.participant_id is not None
            participant_id = get_participant(session, project_id=project_id, participant_id=choice.participant_id).id
        elif choice.action == "new":
            participant_id = _participant_named(session, project_id, choice.name or label).id
        mapping.participant_id = participant_id
        mapping.is_interviewer = choice.action == "interviewer"
        session.execute(update(Segment).where(Segment.source_id == source.id, Segment.speaker == label)
                        .values(participant_id=participant_id))
    session.flush()
    speaking = {m.participant_id for m in existing.values() if m.participant_id is not None}
    source.participant_id = speaking.pop() if len(speaking) == 1 else None
    session.flush()
    session.expire(source, ["segments"])
    return source


def unmapped_sources(session: Session, project_id: int) -> list[Source]:
    """Sources with a speaker that is neither a participant nor the interviewer."""
    return list(session.scalars(
        select(Source).where(Source.project_id == project_id, Source.id.in_(
            select(SpeakerMapping.source_id).where(SpeakerMapping.participant_id.is_(None),
                                                   SpeakerMapping.is_interviewer.is_(False))))
        .order_by(Source.created_at.desc(), Source.id.desc())))


def _participant_named(session: Session, project_id: int, name: str) -> Participant:
    name = name.strip()
    if not name:
        raise InvalidInput("A new participant needs a name.")
    found = session.scalar(select(Participant).where(Participant.project_id == project_id, Participant.name == name))
    return found or create_participant(session, project_id=project_id, name=name)
