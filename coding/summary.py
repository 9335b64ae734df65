"""What a project holds, at a glance: the numbers of the overview page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding.codebook import Code
from coding.codings import Coding
from coding.kinds import CodeKind
from research.participants import Participant
from research.sources import Source, SourceKind, count_by_kind


@dataclass(frozen=True)
class SourceRow:
    id: int
    name: str
    kind: SourceKind
    language: str | None
    characters: int
    codings: int
    participant: str | None


@dataclass(frozen=True)
class ProjectSummary:
    sources_by_kind: dict[SourceKind, int]
    participants: int
    codes_by_kind: dict[CodeKind, int]
    codings: int
    coders: int
    sources: list[SourceRow]

    @property
    def source_total(self) -> int:
        return sum(self.sources_by_kind.values())


def summarise(session: Session, project_id: int) -> ProjectSummary:
    codes_by_kind = dict(session.execute(
        select(Code.kind, func.count()).where(Code.project_id == project_id, Code.is_folder.is_(False))
        .group_by(Code.kind)
    ).all())
    codings, coders = session.execute(
        select(func.count(Coding.id), func.count(func.distinct(Coding.coder_id))).where(Coding.project_id == project_id)
    ).one()
    per_source = dict(session.execute(
        select(Coding.source_id, func.count()).where(Coding.project_id == project_id).group_by(Coding.source_id)
    ).all())
    rows = session.execute(
        select(Source.id, Source.name, Source.kind, Source.language, func.length(Source.text), Participant.name)
        .outerjoin(Participant, Participant.id == Source.participant_id)
        .where(Source.project_id == project_id).order_by(Source.kind, Source.name)
    ).all()
    return ProjectSummary(
        sources_by_kind=count_by_kind(session, project_id),
        participants=session.scalar(select(func.count()).select_from(Participant)
                                    .where(Participant.project_id == project_id)) or 0,
        codes_by_kind=codes_by_kind,
        codings=codings,
        coders=coders,
        sources=[SourceRow(id=i, name=n, kind=k, language=lang, characters=length or 0,
                           codings=per_source.get(i, 0), participant=p) for i, n, k, lang, length, p in rows],
    )
