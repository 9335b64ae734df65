"""A large synthetic project, written straight into the database with bulk inserts.

Default size is the one the issues' targets name: 500 sources × 10k words and
100k codings. Texts mix Swedish and English words so offsets, search and
segmenting meet realistic characters (å, ä, ö).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select

from coding.codebook import Code
from coding.codings import Coding
from coding.kinds import CodeKind
from research.accounts import User
from research.db import make_session_factory, transaction, utcnow
from research.participants import Participant
from research.projects import Project, create_project
from research.sources import Segment, Source

WORDS = (
    "vi ville köpa en bostad och mäklaren sa att banken behövde ett lånelöfte innan visningen "
    "we wanted a place of our own so the estate agent and my parents helped with the bidding "
    "försäkringen flyttfirman besiktningen föreningen forumet appen kontoret rådgivaren räntan "
    "the café owner compared card terminals at the trade fair with colleagues and the accountant "
    "det var stressigt men till slut kändes det bra och vi litar på dem nu"
).split()


@dataclass(frozen=True)
class LargeProject:
    project_id: int
    sources: int
    words: int
    segments: int
    codings: int
    seconds: float


def generate(engine: Engine, *, sources: int = 500, words_per_source: int = 10_000, codings: int = 100_000,
             codes: int = 300, seed: int = 1) -> LargeProject:
    started = time.perf_counter()
    rng = random.Random(seed)
    sessions = make_session_factory(engine)
    with sessions() as session, transaction(session):
        owner = session.scalar(select(User).where(User.email == "bench@kundstig.example"))
        if owner is None:
            owner = User(email="bench@kundstig.example", display_name="Bench", password_hash="!")
            session.add(owner)
            session.flush()
        project = create_project(session, owner_id=owner.id, name=f"Bench {sources}x{words_per_source}",
                                 company_name="Fjällbanken")
        project_id, owner_id = project.id, owner.id
        kinds = list(CodeKind)
        session.execute(insert(Code), [
            {"project_id": project_id, "guid": f"bench-code-{project_id}-{i}", "name": f"Code {i}",
             "kind": kinds[i % len(kinds)], "position": i, "colour": "#3366cc", "aliases": [],
             "ownership": "company" if i % 10 == 2 else ("third_party" if kinds[i % len(kinds)] is CodeKind.ACTOR
                                                          else None)}
            for i in range(codes)
        ])
        code_ids = list(session.scalars(select(Code.id).where(Code.project_id == project_id)))
        session.execute(insert(Participant), [
            {"project_id": project_id, "guid": f"bench-p-{project_id}-{i}", "name": f"P{i:04d}", "description": ""}
            for i in range(sources)
        ])
        participant_ids = list(session.scalars(select(Participant.id).where(Participant.project_id == project_id)))

    segment_total = coding_total = 0
    per_source = codings // sources
    for index in range(sources):
        text, spans = _text(rng, words_per_source)
        with sessions() as session, transaction(session):
            source_id = session.scalar(insert(Source).returning(Source.id), [{
                "project_id": project_id, "guid": f"bench-s-{project_id}-{index}", "kind": "interview",
                "name": f"Interview {index:04d}", "text": text, "language": "sv", "original_name": "",
                "media_type": "text/plain", "sha256": f"{project_id}-{index}", "size": len(text), "details": {},
                "participant_id": participant_ids[index], "created_at": utcnow(),
            }])
            session.execute(insert(Segment), [
                {"source_id": source_id, "kind": "paragraph", "start": s, "end": e,
                 "participant_id": participant_ids[index]} for s, e in spans
            ])
            rows = []
            for _ in range(per_source):
                s, e = spans[rng.randrange(len(spans))]
                start = rng.randrange(s, e - 1)
                rows.append({"project_id": project_id, "guid": f"bench-c-{project_id}-{index}-{len(rows)}",
                             "source_id": source_id, "code_id": rng.choice(code_ids), "start": start,
                             "end": min(e, start + rng.randrange(5, 200)), "coder_id": owner_id, "origin": "manual",
                             "created_at": utcnow()})
            session.execute(insert(Coding), rows)
        segment_total += len(spans)
        coding_total += len(rows)
    return LargeProject(project_id, sources, sources * words_per_source, segment_total, coding_total,
                        time.perf_counter() - started)


def _text(rng: random.Random, words: int) -> tuple[str, list[tuple[int, int]]]:
    paragraphs, spans, offset = [], [], 0
    remaining = words
    while remaining > 0:
        size = min(remaining, rng.randrange(40, 160))
        paragraph = " ".join(rng.choice(WORDS) for _ in range(size)).capitalize() + "."
        paragraphs.append(paragraph)
        spans.append((offset, offset + len(paragraph)))
        offset += len(paragraph) + 2
        remaining -= size
    return "\n\n".join(paragraphs), spans


def project_exists(engine: Engine, project_id: int) -> bool:
    with make_session_factory(engine)() as session:
        return session.get(Project, project_id) is not None
