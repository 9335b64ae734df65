"""The NLP helper over the database: context, stored embeddings, runs and decisions.

The suggesters in ``coding.suggest`` are pure; this module feeds them the project's
codebook, company aliases, phases and stored segment vectors, stores what they
propose as pending ``Suggestion`` rows, and turns a researcher's decision into a
coding. Plain Python over a session: the caller (view, job, CLI, test) commits.

Runs are idempotent: a re-run replaces the *pending* proposals of the suggesters it
ran, for the sources it ran on, and keeps every decision. A proposal is never stored
when a coding already holds the same span and code, or when the same proposal
(span and code, or span and proposed name) was decided before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from coding.codebook import Code, create_code, get_code
from coding.codings import Coding, Origin, add_coding
from coding.events import record
from coding.kinds import ACTOR_TYPES, OWNERSHIPS, VALENCES, CodeKind
from coding.suggest import types as t
from coding.suggest.embedding import Embedder
from coding.suggest.learner import Learner
from coding.suggest.pipeline import default_suggesters, run_suggesters
from coding.suggestions import SegmentEmbedding, Suggestion, SuggestionStatus
from research.db import utcnow
from research.errors import Conflict, InvalidInput, NotFound
from research.projects import Phase, Project
from research.sources import Segment, Source, SpeakerMapping

Progress = Callable[[int, int, str], None]


# ---------------------------------------------------------------- context


def codebook_entries(session: Session, project_id: int) -> list[t.CodebookEntry]:
    """The project's codable codes (folders left out) as the suggesters see them."""
    positions = dict(session.execute(select(Phase.id, Phase.position).where(Phase.project_id == project_id)).all())
    codes = session.scalars(select(Code).where(Code.project_id == project_id, Code.is_folder.is_(False))
                            .order_by(Code.position, Code.id))
    return [
        t.CodebookEntry(id=c.id, name=c.name, kind=c.kind.value, description=c.description or "",
                        aliases=tuple(a for a in (c.aliases or []) if a), ownership=c.ownership,
                        goal_id=c.goal_id, phase_position=positions.get(c.phase_id) if c.phase_id else None,
                        valence=c.valence)
        for c in codes
    ]


def company_aliases(project: Project) -> tuple[str, ...]:
    """The company's name first (proposals are named after it), then its aliases."""
    names = [n.strip() for n in (project.company_name, *(project.company_aliases or [])) if n and n.strip()]
    return tuple(dict.fromkeys(names))


def build_context(
    session: Session, project_id: int, *, embedder: Embedder | None = None, learner: Learner | None = None,
    vectors: dict[int, np.ndarray] | None = None,
) -> t.SuggestContext:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("No such project.")
    return t.SuggestContext(
        codebook=codebook_entries(session, project_id), company_aliases=company_aliases(project),
        phases=[(p.position, p.name, p.description or "") for p in project.phases],
        embedder=embedder, learner=learner, segment_vectors=vectors or {},
    )


def segment_inputs(session: Session, source_ids: Iterable[int]) -> list[t.SegmentInput]:
    """The segments to suggest codes for. The interviewer's own turns are left out: they are
    the researcher's questions, not the customer's account, and only add noise to the queue."""
    ids = list(source_ids)
    if not ids:
        return []
    texts = {sid: (text, language) for sid, text, language in session.execute(
        select(Source.id, Source.text, Source.language).where(Source.id.in_(ids)))}
    interviewer = {(source_id, label) for source_id, label in session.execute(
        select(SpeakerMapping.source_id, SpeakerMapping.label)
        .where(SpeakerMapping.source_id.in_(ids), SpeakerMapping.is_interviewer.is_(True)))}
    rows = session.execute(
        select(Segment.id, Segment.source_id, Segment.start, Segment.end, Segment.speaker)
        .where(Segment.source_id.in_(ids)).order_by(Segment.source_id, Segment.start)
    )
    return [t.SegmentInput(sid, source_id, start, end, texts[source_id][0][start:end], texts[source_id][1])
            for sid, source_id, start, end, speaker in rows if (source_id, speaker) not in interviewer]


def project_source_ids(session: Session, project_id: int) -> list[int]:
    return list(session.scalars(select(Source.id).where(Source.project_id == project_id).order_by(Source.id)))


def checked_source_ids(session: Session, project_id: int, source_ids: Iterable[int] | None) -> list[int]:
    """The given sources (all must belong to the project), or every source of it."""
    every = project_source_ids(session, project_id)
    if source_ids is None:
        return every
    wanted = list(dict.fromkeys(int(s) for s in source_ids))
    unknown = sorted(set(wanted) - set(every))
    if unknown:
        raise NotFound(f"No source {unknown[0]} in this project.")
    return wanted


# ---------------------------------------------------------------- embeddings


def _vector(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float32)


def stored_vectors(session: Session, segment_ids: Iterable[int], model_id: str) -> dict[int, np.ndarray]:
    ids = list(segment_ids)
    out: dict[int, np.ndarray] = {}
    for i in range(0, len(ids), 500):
        rows = session.execute(select(SegmentEmbedding.segment_id, SegmentEmbedding.vector).where(
            SegmentEmbedding.model_id == model_id, SegmentEmbedding.segment_id.in_(ids[i:i + 500])))
        out.update((segment_id, _vector(data)) for segment_id, data in rows)
    return out


def compute_vectors(embedder: Embedder, segments: list[t.SegmentInput]) -> dict[int, np.ndarray]:
    """Pure: embed the segments (call it with no transaction open; it can take a while)."""
    if not segments:
        return {}
    vectors = embedder.embed([s.text for s in segments])
    return {s.id: np.asarray(v, dtype=np.float32) for s, v in zip(segments, vectors, strict=True)}


def save_vectors(session: Session, vectors: dict[int, np.ndarray], model_id: str) -> int:
    """Store (or replace) vectors of one model. Vectors of other models stay, so switching a
    project back to a model it used before needs no re-embedding."""
    ids = list(vectors)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        session.execute(delete(SegmentEmbedding).where(SegmentEmbedding.segment_id.in_(chunk),
                                                       SegmentEmbedding.model_id == model_id))
    session.add_all(SegmentEmbedding(segment_id=sid, model_id=model_id, vector=np.asarray(v, np.float32).tobytes())
                    for sid, v in vectors.items())
    session.flush()
    return len(ids)


def ensure_vectors(session: Session, embedder: Embedder, segments: list[t.SegmentInput]) -> dict[int, np.ndarray]:
    """Stored vectors of the segments, embedding and storing the missing ones."""
    stored = stored_vectors(session, [s.id for s in segments], embedder.model_id)
    fresh = compute_vectors(embedder, [s for s in segments if s.id not in stored])
    save_vectors(session, fresh, embedder.model_id)
    return {**stored, **fresh}


def embedding_counts(session: Session, project_id: int) -> dict[str, int]:
    """Stored vectors per model id, for the project's segments."""
    rows = session.execute(
        select(SegmentEmbedding.model_id, func.count()).join(Segment, Segment.id == SegmentEmbedding.segment_id)
        .join(Source, Source.id == Segment.source_id).where(Source.project_id == project_id)
        .group_by(SegmentEmbedding.model_id))
    return {model_id: n for model_id, n in rows}


def choose_embedding_model(session: Session, *, project_id: int, name: str, choices: Iterable[str],
                           user_id: int | None) -> bool:
    """Set the project's embedding model to one of `choices` ("" for the instance's
    default); True when it changed, and the caller should then re-embed in the background.
    Stored vectors stay: each is kept under its model id, and the learner reads only the
    vectors of the model in use, so two models' vectors are never mixed."""
    allowed = {c.strip() for c in choices} | {""}
    chosen = name.strip()
    if chosen not in allowed:
        raise InvalidInput("Choose one of the embedding models this instance offers.")
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("No such project.")
    if project.embedding_model == chosen:
        return False
    record(session, "project.embedding_model", user_id=user_id, project_id=project_id, object_type="project",
           object_id=project_id, before={"embedding_model": project.embedding_model},
           after={"embedding_model": chosen})
    project.embedding_model = chosen
    session.flush()
    return True


def segment_count(session: Session, project_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Segment).join(Source, Source.id == Segment.source_id)
                          .where(Source.project_id == project_id)) or 0


# ---------------------------------------------------------------- the learner


_LEARNERS: dict[tuple[int, str], tuple[int, Learner]] = {}


def decision_count(session: Session, project_id: int) -> int:
    """Codings plus rejected suggestions: the learner is retrained when this changes."""
    codings = session.scalar(select(func.count()).select_from(Coding).where(Coding.project_id == project_id)) or 0
    rejected = session.scalar(select(func.count()).select_from(Suggestion).where(
        Suggestion.project_id == project_id, Suggestion.status == SuggestionStatus.REJECTED)) or 0
    return codings + rejected


def _containing_segment(segments: dict[int, list[tuple[int, int, int]]], source_id: int, start: int,
                        end: int) -> int | None:
    """The segment of the source that overlaps the span most."""
    best, overlap = None, 0
    for seg_id, s_start, s_end in segments.get(source_id, ()):
        shared = min(end, s_end) - max(start, s_start)
        if shared > overlap:
            best, overlap = seg_id, shared
    return best


def training_examples(session: Session, project_id: int, embedder: Embedder) -> list[tuple[np.ndarray, int, bool]]:
    """Codings' segments as positives of their codes, rejected suggestions as negatives."""
    codings = session.execute(select(Coding.source_id, Coding.start, Coding.end, Coding.code_id)
                              .where(Coding.project_id == project_id)).all()
    rejected = session.execute(select(Suggestion.source_id, Suggestion.start, Suggestion.end, Suggestion.code_id)
                               .where(Suggestion.project_id == project_id,
                                      Suggestion.status == SuggestionStatus.REJECTED,
                                      Suggestion.code_id.is_not(None))).all()
    sources = {row[0] for row in codings} | {row[0] for row in rejected}
    by_source: dict[int, list[tuple[int, int, int]]] = {}
    for seg_id, source_id, start, end in session.execute(
            select(Segment.id, Segment.source_id, Segment.start, Segment.end).where(Segment.source_id.in_(sources))):
        by_source.setdefault(source_id, []).append((seg_id, start, end))
    labelled: list[tuple[int, int, bool]] = []
    for rows, positive in ((codings, True), (rejected, False)):
        for source_id, start, end, code_id in rows:
            seg_id = _containing_segment(by_source, source_id, start, end)
            if seg_id is not None and code_id is not None:
                labelled.append((seg_id, code_id, positive))
    needed = sorted({seg_id for seg_id, _, _ in labelled})
    vectors = ensure_vectors(session, embedder, [s for s in segment_inputs(session, sources) if s.id in set(needed)])
    return [(vectors[seg_id], code_id, positive) for seg_id, code_id, positive in labelled if seg_id in vectors]


def learner_for(session: Session, project_id: int, embedder: Embedder, *, min_examples: int = 3) -> Learner:
    """The project's learner, retrained only when the number of decisions changed."""
    key = (project_id, embedder.model_id)
    count = decision_count(session, project_id)
    cached = _LEARNERS.get(key)
    if cached is not None and cached[0] == count:
        return cached[1]
    examples = training_examples(session, project_id, embedder)
    entries = codebook_entries(session, project_id)
    definitions = {}
    if entries:
        vectors = embedder.embed([e.definition() for e in entries])
        definitions = {e.id: v for e, v in zip(entries, vectors, strict=True)}
    learner = Learner(min_examples=min_examples).fit(examples, definitions)
    _LEARNERS[key] = (count, learner)
    return learner


def forget_learners() -> None:
    _LEARNERS.clear()


# ---------------------------------------------------------------- runs


@dataclass
class RunResult:
    sources: int = 0
    segments: int = 0
    embedded: int = 0
    proposed: int = 0
    stored: int = 0
    replaced: int = 0
    skipped: int = 0
    seconds: float = 0.0
    per_source: dict[int, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"sources": self.sources, "segments": self.segments, "embedded": self.embedded,
                "proposed": self.proposed, "stored": self.stored, "replaced": self.replaced,
                "skipped": self.skipped, "seconds": round(self.seconds, 2),
                "per_source": {str(k): v for k, v in self.per_source.items()}}


def _target(code_id: int | None, kind: str | None, name: str | None) -> tuple[object, ...]:
    return ("code", code_id) if code_id is not None else ("new", kind or "", (name or "").strip().lower())


def _decided_keys(session: Session, source_id: int) -> set[tuple[object, ...]]:
    """(start, end, target) of every decided proposal of the source, as first proposed and as decided."""
    keys: set[tuple[object, ...]] = set()
    for s in session.scalars(select(Suggestion).where(Suggestion.source_id == source_id,
                                                      Suggestion.status != SuggestionStatus.PENDING)):
        keys.add((s.start, s.end, _target(s.code_id, s.proposed_kind, s.proposed_name)))
        original = (s.extra or {}).get("original")
        if isinstance(original, dict):
            keys.add((original.get("start"), original.get("end"),
                      _target(original.get("code_id"), original.get("proposed_kind"), original.get("proposed_name"))))
            if original.get("proposed_name"):
                keys.add((original.get("start"), original.get("end"),
                          _target(None, original.get("proposed_kind"), original.get("proposed_name"))))
        if s.proposed_name:
            keys.add((s.start, s.end, _target(None, s.proposed_kind, s.proposed_name)))
    return keys


def store_suggestions(
    session: Session, project_id: int, source_id: int, proposals: list[t.Suggestion], suggesters: Iterable[str],
    result: RunResult | None = None,
) -> int:
    """Replace the pending proposals of `suggesters` for the source with `proposals`,
    leaving out any that a coding or an earlier decision already covers."""
    result = result if result is not None else RunResult()
    names = list(suggesters)
    replaced = session.execute(delete(Suggestion).where(
        Suggestion.source_id == source_id, Suggestion.status == SuggestionStatus.PENDING,
        Suggestion.suggester.in_(names)))
    result.replaced += getattr(replaced, "rowcount", 0) or 0
    coded = set(session.execute(select(Coding.start, Coding.end, Coding.code_id)
                                .where(Coding.source_id == source_id)).all())
    decided = _decided_keys(session, source_id)
    pending = {(s.start, s.end, _target(s.code_id, s.proposed_kind, s.proposed_name))
               for s in session.scalars(select(Suggestion).where(
                   Suggestion.source_id == source_id, Suggestion.status == SuggestionStatus.PENDING))}
    codes = {c.id: c for c in session.scalars(select(Code).where(Code.project_id == project_id))}
    by_name = {(c.kind.value, c.name.strip().lower()): c.id for c in codes.values() if not c.is_folder}
    stored = 0
    for p in proposals:
        code_id = p.code_id
        if code_id is None and p.proposed_name:
            # A proposed new code that exists by now (accepted earlier) is proposed as that code.
            code_id = by_name.get((p.proposed_kind or "", p.proposed_name.strip().lower()))
        key = (p.start, p.end, _target(code_id, p.proposed_kind, p.proposed_name))
        new_key = (p.start, p.end, _target(None, p.proposed_kind, p.proposed_name))
        if ((code_id is not None and (p.start, p.end, code_id) in coded) or key in decided
                or (p.proposed_name and new_key in decided) or key in pending):
            result.skipped += 1
            continue
        pending.add(key)
        session.add(Suggestion(
            project_id=project_id, source_id=source_id, start=p.start, end=p.end, code_id=code_id,
            proposed_kind=None if code_id is not None and p.code_id is not None else p.proposed_kind,
            proposed_name=None if code_id is not None and p.code_id is not None else p.proposed_name,
            score=float(p.score), rationale=p.rationale[:2000], suggester=p.suggester[:40],
            model_version=p.model_version[:80], extra=_json_safe(p.extra or {}),
        ))
        stored += 1
    session.flush()
    result.stored += stored
    result.per_source[source_id] = result.per_source.get(source_id, 0) + stored
    return stored


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def suggest_source(
    session: Session, project_id: int, source_id: int, ctx: t.SuggestContext, result: RunResult,
    suggesters: list[t.Suggester] | None = None, pause: Callable[[], None] | None = None,
) -> int:
    """Run the pipeline on one source whose vectors are in `ctx` (or need none) and store it.

    `pause`, when given, is called once the inputs are read and before the suggesters run: a
    job passes a commit point there, so the database is not held while they compute."""
    chosen = suggesters if suggesters is not None else default_suggesters()
    segments = segment_inputs(session, [source_id])
    existing = set(session.execute(select(Coding.start, Coding.end, Coding.code_id)
                                   .where(Coding.source_id == source_id)).all())
    if pause is not None:
        pause()
    proposals = run_suggesters(segments, ctx, chosen, existing=existing)
    result.segments += len(segments)
    result.proposed += len(proposals)
    result.sources += 1
    return store_suggestions(session, project_id, source_id, proposals, [s.name for s in chosen], result)


def run_suggestions(
    session: Session, *, project_id: int, source_ids: Iterable[int] | None = None,
    embedder: Embedder | None = None, progress: Progress | None = None,
    suggesters: list[t.Suggester] | None = None,
) -> RunResult:
    """Embed what is missing, (re)train the learner and store suggestions for the sources
    (all of the project's when `source_ids` is None). `progress(done, total, message)` is
    called between sources; a job passes its `report`, which commits and may cancel."""
    started = time.perf_counter()
    ids = checked_source_ids(session, project_id, source_ids)
    result = RunResult()
    learner = learner_for(session, project_id, embedder) if embedder is not None else None
    names = dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(ids))).all()) if ids else {}
    for done, source_id in enumerate(ids):
        if progress is not None:
            progress(done, len(ids), f"Embedding and suggesting: {names.get(source_id, source_id)}")
        vectors: dict[int, np.ndarray] = {}
        if embedder is not None:
            segments = segment_inputs(session, [source_id])
            vectors = stored_vectors(session, [s.id for s in segments], embedder.model_id)
            missing = [s for s in segments if s.id not in vectors]
            if missing:
                if progress is not None:  # a commit point: no transaction is held while embedding
                    progress(done, len(ids), f"Embedding {len(missing)} segments of {names.get(source_id, source_id)}")
                fresh = compute_vectors(embedder, missing)
                save_vectors(session, fresh, embedder.model_id)
                vectors.update(fresh)
                result.embedded += len(fresh)
        ctx = build_context(session, project_id, embedder=embedder, learner=learner, vectors=vectors)
        pause = None if progress is None else partial(
            progress, done, len(ids), f"Suggesting codes for {names.get(source_id, source_id)}")
        suggest_source(session, project_id, source_id, ctx, result, suggesters, pause=pause)
    if progress is not None:
        progress(len(ids), len(ids), f"{result.stored} new suggestions")
    result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------- reading


def get_suggestion(session: Session, *, project_id: int, suggestion_id: int) -> Suggestion:
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.project_id != project_id:
        raise NotFound("No such suggestion in this project.")
    return suggestion


def suggestions_of(
    session: Session, *, project_id: int, source_id: int | None = None,
    status: SuggestionStatus | None = SuggestionStatus.PENDING, limit: int | None = None,
) -> list[Suggestion]:
    stmt = select(Suggestion).where(Suggestion.project_id == project_id)
    if source_id is not None:
        stmt = stmt.where(Suggestion.source_id == source_id)
    if status is not None:
        stmt = stmt.where(Suggestion.status == status)
    stmt = stmt.order_by(Suggestion.source_id, Suggestion.start, Suggestion.end, Suggestion.score.desc(),
                         Suggestion.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def pending_counts(session: Session, project_id: int) -> dict[str, int]:
    rows = session.execute(select(Suggestion.status, func.count()).where(Suggestion.project_id == project_id)
                           .group_by(Suggestion.status))
    return {status.value: n for status, n in rows}


# ---------------------------------------------------------------- decisions


def _pending(session: Session, project_id: int, suggestion_id: int) -> Suggestion:
    suggestion = get_suggestion(session, project_id=project_id, suggestion_id=suggestion_id)
    if suggestion.status is not SuggestionStatus.PENDING:
        raise Conflict(f"This suggestion was already {suggestion.status.value}.")
    return suggestion


def _kind_fields(kind: CodeKind, extra: dict[str, Any], session: Session, project_id: int) -> dict[str, object]:
    """The kind-specific fields a proposal carries (ownership of an actor, valence, ...)."""
    fields: dict[str, object] = {}
    if kind is CodeKind.ACTOR:
        if extra.get("ownership") in OWNERSHIPS:
            fields["ownership"] = extra["ownership"]
        if extra.get("actor_type") in ACTOR_TYPES:
            fields["actor_type"] = extra["actor_type"]
    elif kind is CodeKind.EMOTION and extra.get("valence") in VALENCES:
        fields["valence"] = extra["valence"]
    elif kind is CodeKind.PHASE and extra.get("phase_position") is not None:
        phase_id = session.scalar(select(Phase.id).where(Phase.project_id == project_id,
                                                          Phase.position == extra["phase_position"]))
        if phase_id is not None:
            fields["phase_id"] = phase_id
    elif kind is CodeKind.SUB_GOAL and extra.get("serves_goal_id"):
        goal = session.get(Code, extra["serves_goal_id"])
        if goal is not None and goal.project_id == project_id and goal.kind is CodeKind.GOAL:
            fields["goal_id"] = goal.id
    return fields


def code_for_proposal(session: Session, suggestion: Suggestion, user_id: int | None) -> Code:
    """The code a proposal names: an existing one, or a new code created from the proposal."""
    if suggestion.code_id is not None:
        return get_code(session, project_id=suggestion.project_id, code_id=suggestion.code_id)
    name = (suggestion.proposed_name or "").strip()
    try:
        kind = CodeKind(suggestion.proposed_kind or "")
    except ValueError as exc:
        raise InvalidInput("This suggestion names no code; choose one.") from exc
    if not name:
        raise InvalidInput("This suggestion names no code; choose one.")
    existing = session.scalar(select(Code).where(Code.project_id == suggestion.project_id, Code.kind == kind,
                                                 func.lower(Code.name) == name.lower(), Code.is_folder.is_(False)))
    if existing is not None:
        return existing
    code = create_code(session, project_id=suggestion.project_id, name=name, kind=kind,
                       description="Created from a suggestion of the NLP helper.",
                       **_kind_fields(kind, suggestion.extra or {}, session, suggestion.project_id))
    record(session, "code.create", user_id=user_id, project_id=suggestion.project_id, object_type="code",
           object_id=code.id, after={"name": code.name, "kind": kind.value, "from_suggestion": suggestion.id,
                                     "ownership": code.ownership})
    # Other pending proposals of the same new code now point to it.
    for other in session.scalars(select(Suggestion).where(
            Suggestion.project_id == suggestion.project_id, Suggestion.status == SuggestionStatus.PENDING,
            Suggestion.code_id.is_(None), Suggestion.proposed_kind == kind.value, Suggestion.id != suggestion.id)):
        if (other.proposed_name or "").strip().lower() == name.lower():
            other.code_id = code.id
    return code


def accept(
    session: Session, *, project_id: int, suggestion_id: int, user_id: int | None,
    code_id: int | None = None, start: int | None = None, end: int | None = None,
) -> Coding:
    """Accept a suggestion (optionally with another code or an adjusted span): the coding
    is created with origin "suggested" and the decision (who, when, what was proposed) kept."""
    suggestion = _pending(session, project_id, suggestion_id)
    proposed = {"start": suggestion.start, "end": suggestion.end, "code_id": suggestion.code_id,
                "proposed_kind": suggestion.proposed_kind, "proposed_name": suggestion.proposed_name}
    if code_id is not None:
        code = get_code(session, project_id=project_id, code_id=code_id)
    else:
        code = code_for_proposal(session, suggestion, user_id)
    new_start = suggestion.start if start is None else int(start)
    new_end = suggestion.end if end is None else int(end)
    coding = add_coding(session, project_id=project_id, source_id=suggestion.source_id, code_id=code.id,
                        start=new_start, end=new_end, user_id=user_id, origin=Origin.SUGGESTED)
    changed = (code.id != suggestion.code_id and code_id is not None) or (new_start, new_end) != (
        suggestion.start, suggestion.end)
    if changed:
        suggestion.extra = {**(suggestion.extra or {}), "original": proposed}
    suggestion.code_id = code.id
    suggestion.start, suggestion.end = new_start, new_end
    _decide(session, suggestion, SuggestionStatus.ACCEPTED, user_id)
    suggestion.coding_id = coding.id
    session.flush()
    record(session, "suggestion.accept", user_id=user_id, project_id=project_id, object_type="suggestion",
           object_id=suggestion.id, before=proposed,
           after={"code_id": code.id, "start": new_start, "end": new_end, "coding_id": coding.id})
    return coding


def reject(session: Session, *, project_id: int, suggestion_id: int, user_id: int | None) -> Suggestion:
    suggestion = _pending(session, project_id, suggestion_id)
    _decide(session, suggestion, SuggestionStatus.REJECTED, user_id)
    session.flush()
    record(session, "suggestion.reject", user_id=user_id, project_id=project_id, object_type="suggestion",
           object_id=suggestion.id, before={"start": suggestion.start, "end": suggestion.end,
                                            "code_id": suggestion.code_id, "proposed_name": suggestion.proposed_name})
    return suggestion


def _decide(session: Session, suggestion: Suggestion, status: SuggestionStatus, user_id: int | None) -> None:
    suggestion.status = status
    suggestion.decided_by = user_id
    suggestion.decided_at = utcnow()


def accept_all(
    session: Session, *, project_id: int, user_id: int | None, min_score: float, code_id: int | None = None,
    proposed_kind: str | None = None, proposed_name: str | None = None, source_id: int | None = None,
) -> list[Coding]:
    """Accept every pending suggestion of one code (or one proposed new code) scoring at least `min_score`."""
    if code_id is None and not proposed_name:
        raise InvalidInput("Name the code whose suggestions to accept (code_id, or proposed_kind and proposed_name).")
    stmt = select(Suggestion.id).where(Suggestion.project_id == project_id,
                                       Suggestion.status == SuggestionStatus.PENDING,
                                       Suggestion.score >= min_score)
    if source_id is not None:
        stmt = stmt.where(Suggestion.source_id == source_id)
    if code_id is not None:
        get_code(session, project_id=project_id, code_id=code_id)
        stmt = stmt.where(Suggestion.code_id == code_id)
    else:
        # Proposals of a new code keep its name after the code exists (they then carry its id too).
        stmt = stmt.where(Suggestion.proposed_kind == proposed_kind,
                          func.lower(Suggestion.proposed_name) == (proposed_name or "").strip().lower())
    codings = []
    for suggestion_id in list(session.scalars(stmt.order_by(Suggestion.id))):
        suggestion = session.get(Suggestion, suggestion_id)
        if suggestion is None or suggestion.status is not SuggestionStatus.PENDING:
            continue
        codings.append(accept(session, project_id=project_id, suggestion_id=suggestion_id, user_id=user_id))
    return codings
