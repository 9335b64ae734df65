"""The demo's codebook, codings and memos, read from ``content/`` and created
through the codebook, coding and memo services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from coding.codebook import Code, create_code
from coding.codings import add_coding
from coding.kinds import CodeKind
from coding.memos import add_memo
from research.errors import InvalidInput
from research.participants import participants_of
from research.projects import Project
from research.sources import Source

KIND_FIELD_NAMES = ("ownership", "actor_type", "medium", "touchpoint_type", "company_role", "valence")


def _json(content: Path, name: str) -> Any:
    return json.loads((content / name).read_text(encoding="utf-8"))


def load_codebook_and_codings(session: Session, *, project: Project, content: Path, sources: dict[str, Source],
                              survey_sources: dict[str, Source], coders: dict[str, int]) -> None:
    codes = _codebook(session, project, _json(content, "codebook.json"))
    owner_id = coders["demo"]
    respondents = {p.name: p.id for p in participants_of(session, project.id)}
    for entry in _json(content, "codings.json"):
        source, start, end = _locate(entry, sources, survey_sources, respondents)
        coding = add_coding(session, project_id=project.id, source_id=source.id, code_id=codes[entry["code"]].id,
                            start=start, end=end, user_id=coders[entry["coder"]])
        if entry.get("memo"):
            add_memo(session, project_id=project.id, target_type="coding", target_id=coding.id, text=entry["memo"],
                     author_id=coders[entry["coder"]])
    first_survey = next(iter(survey_sources.values()))
    for memo in _json(content, "memos.json"):
        target = memo["target"]
        target_id = None
        if target == "code":
            target_id = codes[memo["code"]].id
        elif target == "source":
            target_id = sources[memo["source"]].id if memo["source"] in sources else first_survey.id
        add_memo(session, project_id=project.id, target_type=target, target_id=target_id, text=memo["text"],
                 author_id=owner_id)


def _codebook(session: Session, project: Project, entries: list[dict[str, Any]]) -> dict[str, Code]:
    phases = {phase.name: phase.id for phase in project.phases}
    codes: dict[str, Code] = {}
    for entry in entries:
        kind = CodeKind(entry["kind"])
        fields = {name: entry[name] for name in KIND_FIELD_NAMES if entry.get(name) is not None}
        if entry.get("phase"):
            fields["phase_id"] = phases[entry["phase"]]
        if entry.get("goal"):
            fields["goal_id"] = codes[entry["goal"]].id
        parent = codes[entry["parent"]].id if entry.get("parent") else None
        codes[entry["name"]] = create_code(
            session, project_id=project.id, name=entry["name"], kind=kind, parent_id=parent,
            is_folder=bool(entry.get("is_folder")), colour=entry.get("colour", "#7f8c8d"),
            description=entry.get("description", ""), when_to_use=entry.get("when_to_use", ""),
            when_not=entry.get("when_not", ""), examples=entry.get("examples", ""),
            aliases=entry.get("aliases", []), **fields,
        )
    return codes


def _locate(entry: dict[str, Any], sources: dict[str, Source],
            survey_sources: dict[str, Source], respondents: dict[str, int]) -> tuple[Source, int, int]:
    """The source and span of a demo quote; the quote must occur exactly once."""
    if entry["source"] in sources:
        source = sources[entry["source"]]
        start = source.text.find(entry["quote"])
        if start < 0 or source.text.find(entry["quote"], start + 1) >= 0:
            raise InvalidInput(f"demo quote not found exactly once in {entry['source']}: {entry['quote']!r}")
        return source, start, start + len(entry["quote"])
    source = survey_sources[entry["question"]]
    respondent = respondents[entry["respondent"]]
    for segment in source.segments:
        answer = source.text[segment.start:segment.end]
        if segment.participant_id == respondent:
            offset = answer.find(entry["quote"])
            if offset >= 0:
                return source, segment.start + offset, segment.start + offset + len(entry["quote"])
    raise InvalidInput(f"demo quote not found in {entry['respondent']}'s answer to {entry['question']!r}")

