"""REFI-QDA import, second half: a :class:`RefiProject` stored as a new project or merged
into an existing one, inside the caller's unit of work (one transaction: the caller
commits, and any error leaves the database as it was).

Merging matches codes by GUID or by name under the same parent, sources by GUID or
identical text, participants by name; nothing already there is changed or removed.
GUIDs from the file are kept where they are free in this instance. Codings are written
as rows directly (``origin=imported``) with one audit event for the whole import, so a
large project imports quickly; every coding is still checked against its text and code.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from coding.codebook import KIND_FIELDS, Code, create_code, validate_kind_fields
from coding.codings import Coding, Origin
from coding.events import record
from coding.kinds import CodeKind
from coding.memos import add_memo
from exports.refi.model import DataLossReport, RefiCode, RefiProject, RefiSelection, RefiSource
from exports.refi.reader import AUTO, read_refi
from research.accounts import User, normalise_email
from research.errors import InvalidInput
from research.participants import (
    ATTRIBUTE_TYPES,
    AttributeDef,
    Participant,
    create_participant,
    define_attribute,
    set_attribute,
)
from research.phase_models import PHASE_MODELS
from research.projects import LANGUAGES, Project, Role, create_project, get_project_for, set_phases
from research.segmenting import Span, segment
from research.sources import Source, SourceKind, SpeakerMapping, add_source

REFI_TO_ATTRIBUTE = {"Text": "text", "Boolean": "boolean", "Integer": "number", "Float": "number", "Date": "date",
                     "DateTime": "text"}


@dataclass
class ImportResult:
    project_id: int
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    report: DataLossReport = field(default_factory=DataLossReport)

    def to_dict(self) -> dict[str, Any]:
        return {"project_id": self.project_id, "created": self.created, "counts": self.counts,
                "data_loss": self.report.to_dict()}


def _taken(session: Session, column: InstrumentedAttribute[str], guids: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(guids))
    taken: set[str] = set()
    for i in range(0, len(wanted), 500):
        taken.update(session.scalars(select(column).where(column.in_(wanted[i:i + 500]))))
    return taken


class _Importer:
    def __init__(self, session: Session, refi: RefiProject, report: DataLossReport, owner_id: int) -> None:
        self.session, self.refi, self.report, self.owner_id = session, refi, report, owner_id
        self.counts = {"codes": 0, "sources": 0, "participants": 0, "attributes": 0, "codings": 0, "memos": 0}
        self.codes: dict[str, Code] = {}
        self.sources: dict[str, Source] = {}
        self.participants: dict[str, Participant] = {}
        self.coding_ids: dict[str, int] = {}
        self.notes = {n.guid: n for n in refi.notes}
        self.used_notes: set[str] = set()
        self.unmatched: set[str] = set()
        self.attributes: dict[str, AttributeDef] = {}
        self.users = self._users()

    def _users(self) -> dict[str, int]:
        """File users mapped to accounts of this instance by e-mail; everyone else is the importer."""
        mapped: dict[str, int] = {}
        for user in self.refi.users:
            email = normalise_email(user.ident) if "@" in user.ident else ""
            account = self.session.scalar(select(User.id).where(User.email == email)) if email else None
            mapped[user.guid] = account if account is not None else self.owner_id
            if account is None and user.name:
                self.unmatched.add(user.name)
        return mapped

    def user(self, guid: str | None) -> int:
        return self.users.get(guid or "", self.owner_id)

    # Project -------------------------------------------------------------------------
    def create_project(self, name: str | None) -> Project:
        data = self.refi.data or {}
        language = data.get("language") if data.get("language") in LANGUAGES else "en"
        phase_model = data.get("phase_model") if data.get("phase_model") in PHASE_MODELS else "six"
        project = create_project(
            self.session, owner_id=self.owner_id, name=(name or self.refi.name).strip()[:200],
            description=str(data.get("description", self.refi.description)), language=str(language),
            company_name=str(data.get("company_name", "")).strip()[:200],
            company_aliases=list(data.get("company_aliases", [])),
            phase_model=str(phase_model),
        )
        phases = data.get("phases")
        if isinstance(phases, list) and phases and all(isinstance(p, list) and len(p) == 2 for p in phases):
            set_phases(self.session, project, [(str(n), str(d)) for n, d in phases])
        return project

    # Codes ---------------------------------------------------------------------------
    def import_codes(self, project: Project) -> None:
        existing = list(self.session.scalars(select(Code).where(Code.project_id == project.id)))
        by_guid = {c.guid: c for c in existing}
        by_place = {(c.parent_id, c.name): c for c in existing}
        coded = {c.code_guid for s in self.refi.sources for sel in s.selections for c in sel.codings}
        all_codes = self.refi.all_codes()
        free = {c.guid for c in all_codes} - _taken(self.session, Code.guid, [c.guid for c in all_codes])
        phases = {p.position: p.id for p in project.phases}
        goals: list[tuple[Code, str]] = []

        def visit(node: RefiCode, parent: Code | None) -> None:
            found = by_guid.get(node.guid) or by_place.get((parent.id if parent else None, node.name))
            if found is None:
                found = self._create_code(project, node, parent, node.guid in coded, phases, by_place)
                if node.guid in free:
                    found.guid = node.guid
                by_place[(found.parent_id, found.name)] = found
                self.counts["codes"] += 1
                if node.data and node.data.get("goal"):
                    goals.append((found, str(node.data["goal"])))
            else:
                self.report.adjust("codes already in the project reused", node.name)
            self.codes[node.guid] = found
            for child in node.children:
                visit(child, found)

        for root in self.refi.codes:
            visit(root, None)
        for code, goal_guid in goals:
            goal = self.codes.get(goal_guid)
            if goal is not None and goal.kind is CodeKind.GOAL:
                code.goal_id = goal.id
        self.session.flush()

    def _create_code(self, project: Project, node: RefiCode, parent: Code | None, coded: bool,
                     phases: dict[int, int], by_place: dict[tuple[int | None, str], Code]) -> Code:
        data = node.data or {}
        try:
            kind = CodeKind(data.get("kind", "theme"))
        except ValueError:
            kind = CodeKind.THEME
        if parent is not None and not parent.is_folder and parent.kind is not kind:
            kind = CodeKind.THEME
        folder = not node.codable
        if folder and coded:
            folder = False
            self.report.adjust("codes marked not codable but used in codings imported as codes", node.name)
        fields: dict[str, object] = {}
        if data:
            raw = {name: data.get(name) for name in KIND_FIELDS if name not in ("phase_id", "goal_id")}
            if isinstance(data.get("phase"), int) and data["phase"] in phases:
                raw["phase_id"] = phases[data["phase"]]
            try:
                fields = {k: v for k, v in validate_kind_fields(kind, raw).items() if v is not None}
            except InvalidInput:
                self.report.adjust("code details that do not fit their kind dropped", node.name)
        name, number = node.name[:200], 2
        while (parent.id if parent else None, name) in by_place:
            name = f"{node.name[:190]} ({number})"
            number += 1
        if name != node.name[:200]:
            self.report.adjust("codes renamed because a sibling had the same name", f"{node.name} → {name}")
        colour = str(data.get("colour") or node.color or "#7f8c8d")
        description = str(data.get("description", node.description))
        return create_code(
            self.session, project_id=project.id, name=name, kind=kind, parent_id=parent.id if parent else None,
            is_folder=folder, colour=colour, description=description,
            when_to_use=str(data.get("when_to_use", "")), when_not=str(data.get("when_not", "")),
            examples=str(data.get("examples", "")), aliases=[str(a) for a in data.get("aliases", [])],
            **fields,
        )

    # Participants and attributes -------------------------------------------------------
    def import_cases(self, project: Project) -> None:
        existing = {p.name: p for p in self.session.scalars(select(Participant)
                                                             .where(Participant.project_id == project.id))}
        free = {c.guid for c in self.refi.cases} - _taken(self.session, Participant.guid,
                                                         [c.guid for c in self.refi.cases])
        attributes: dict[str, AttributeDef] = {}
        for variable in self.refi.variables:
            data = variable.data or {}
            kind = data.get("type") if data.get("type") in ATTRIBUTE_TYPES else REFI_TO_ATTRIBUTE[variable.type]
            before = self.session.scalar(select(AttributeDef.id).where(AttributeDef.project_id == project.id,
                                                                       AttributeDef.name == variable.name[:200]))
            attribute = define_attribute(self.session, project_id=project.id, name=variable.name, type=str(kind),
                                         choices=[str(c) for c in data.get("choices", [])])
            self.counts["attributes"] += before is None
            attributes[variable.guid] = attribute
        for case in self.refi.cases:
            participant = existing.get(case.name[:200])
            if participant is None:
                participant = create_participant(self.session, project_id=project.id, name=case.name,
                                                 description=case.description)
                if case.guid in free:
                    participant.guid = case.guid
                existing[participant.name] = participant
                self.counts["participants"] += 1
            self.participants[case.guid] = participant
            self._values(participant, case.values, attributes, case.name)
        self.attributes = attributes
        self.session.flush()

    def _values(self, participant: Participant, values: dict[str, str], attributes: dict[str, AttributeDef],
                owner: str) -> None:
        for guid, value in values.items():
            attribute = attributes.get(guid)
            if attribute is None:
                self.report.lose("variable values of undefined variables", owner)
                continue
            set_attribute(self.session, participant, attribute, value)

    # Sources -------------------------------------------------------------------------
    def import_sources(self, project: Project) -> None:
        existing = list(self.session.scalars(select(Source).where(Source.project_id == project.id)))
        by_guid = {s.guid: s for s in existing}
        by_text = {s.text: s for s in existing}
        free = {s.guid for s in self.refi.sources} - _taken(self.session, Source.guid,
                                                           [s.guid for s in self.refi.sources])
        case_of: dict[str, list[str]] = {}
        for case in self.refi.cases:
            for source_guid in case.source_guids:
                case_of.setdefault(source_guid, []).append(case.guid)
        identities: set[str] = set()
        for refi in self.refi.sources:
            if not refi.text.strip():
                self.report.lose("sources without any text", refi.name)
                lost = sum(len(s.codings) for s in refi.selections)
                if lost:
                    self.report.lose("codings", count=lost)
                continue
            found = by_guid.get(refi.guid)
            if found is not None and found.text != refi.text:
                found = None
            found = found or by_text.get(refi.text)
            if found is not None:
                self.report.adjust("sources already in the project reused", refi.name)
            else:
                found = self._create_source(project, refi, case_of.get(refi.guid, []), identities)
                if refi.guid in free:
                    found.guid = refi.guid
                by_text[found.text] = found
                self.counts["sources"] += 1
            self.sources[refi.guid] = found
            cases = case_of.get(refi.guid, [])
            if refi.values:
                if len(cases) == 1:
                    self._values(self.participants[cases[0]], refi.values, self.attributes, refi.name)
                else:
                    self.report.lose("variable values on sources that belong to no single case", refi.name,
                                     count=len(refi.values))
        self.session.flush()

    def _create_source(self, project: Project, refi: RefiSource, cases: list[str], identities: set[str]) -> Source:
        data = refi.data or {}
        try:
            kind = SourceKind(data.get("kind", "document"))
        except ValueError:
            kind = SourceKind.DOCUMENT
        participant_guid = data.get("participant") or (cases[0] if len(cases) == 1 else None)
        participant = self.participants.get(str(participant_guid)) if participant_guid else None
        text = refi.text
        spans = segment(text)
        rows = data.get("segments")
        if isinstance(rows, list) and rows:
            spans = [Span(str(r[0]), int(r[1]), int(r[2]), r[3], r[4]) for r in rows]
        original = text.encode("utf-8")
        identity = hashlib.sha256(original).hexdigest()
        if identity in identities:
            identity = hashlib.sha256(f"{refi.guid}:{text}".encode()).hexdigest()
        identities.add(identity)
        source = add_source(
            self.session, project_id=project.id, kind=kind, name=refi.name, text=text, spans=spans,
            original=original, original_name=str(data.get("original_name") or refi.name),
            media_type=str(data.get("media_type", "text/plain")),
            language=data.get("language") if isinstance(data.get("language"), str) else None,
            participant_id=participant.id if participant else None,
            encoding=data.get("encoding") if isinstance(data.get("encoding"), str) else "utf-8",
            encoding_warning=data.get("encoding_warning") if isinstance(data.get("encoding_warning"), str) else None,
            details=data.get("details") if isinstance(data.get("details"), dict) else {},
            created_by=self.owner_id, identity=identity,
        )
        if isinstance(rows, list) and rows:
            for seg, row in zip(source.segments, rows, strict=True):
                who = self.participants.get(str(row[5])) if row[5] else None
                seg.participant_id = who.id if who else None
                seg.question = row[6]
        for label, who_guid, interviewer in data.get("speakers", []):
            who = self.participants.get(str(who_guid)) if who_guid else None
            self.session.add(SpeakerMapping(source_id=source.id, label=str(label), is_interviewer=bool(interviewer),
                                            participant_id=who.id if who else None))
            if not (isinstance(rows, list) and rows):
                for seg in source.segments:
                    if seg.speaker == label:
                        seg.participant_id = who.id if who else None
        return source

    # Codings and memos -----------------------------------------------------------------
    def import_codings(self, project: Project) -> None:
        source_ids = [s.id for s in self.sources.values()]
        seen: dict[tuple[int, int, int, int, int | None], int] = {}
        if source_ids:
            for row in self.session.execute(select(Coding.id, Coding.source_id, Coding.code_id, Coding.start,
                                                   Coding.end, Coding.coder_id)
                                            .where(Coding.source_id.in_(source_ids))):
                seen[(row.source_id, row.code_id, row.start, row.end, row.coder_id)] = row.id
        wanted = [c.guid for s in self.refi.sources for sel in s.selections for c in sel.codings]
        free = set(wanted) - _taken(self.session, Coding.guid, wanted)
        pending: list[tuple[str, Coding]] = []
        for refi in self.refi.sources:
            source = self.sources.get(refi.guid)
            if source is None:
                continue
            for selection in refi.selections:
                for coding in selection.codings:
                    code = self.codes.get(coding.code_guid)
                    if code is None:
                        self.report.lose("codings of codes missing from the codebook", refi.name)
                        continue
                    if code.is_folder:
                        self.report.lose("codings of folders", code.name)
                        continue
                    if not 0 <= selection.start < selection.end <= len(source.text):
                        self.report.lose("codings outside their text", refi.name)
                        continue
                    coder = self.user(coding.user_guid)
                    key = (source.id, code.id, selection.start, selection.end, coder)
                    if key in seen:
                        if seen[key] >= 0:
                            self.coding_ids[coding.guid] = seen[key]
                        self.report.adjust("repeated codings (same code, span and coder) merged", refi.name)
                        continue
                    seen[key] = -1
                    row = Coding(project_id=project.id, source_id=source.id, code_id=code.id,
                                 start=selection.start, end=selection.end, coder_id=coder, origin=Origin.IMPORTED,
                                 guid=coding.guid if coding.guid in free else str(uuid.uuid4()))
                    self.session.add(row)
                    pending.append((coding.guid, row))
        self.session.flush()
        for guid, row in pending:
            self.coding_ids[guid] = row.id
        self.counts["codings"] = len(pending)

    def memo(self, project: Project, target_type: str, target_id: int | None, text: str, author: str | None) -> None:
        if not text.strip():
            self.report.lose("empty notes")
            return
        add_memo(self.session, project_id=project.id, target_type=target_type, target_id=target_id, text=text,
                 author_id=self.user(author))
        self.counts["memos"] += 1

    def note(self, project: Project, guid: str, target_type: str, target_id: int | None, prefix: str = "") -> None:
        note = self.notes.get(guid)
        if note is None:
            self.report.lose("references to notes that are not in the file")
            return
        self.used_notes.add(guid)
        self.memo(project, target_type, target_id, prefix + note.text, note.user_guid)

    def import_notes(self, project: Project) -> None:
        for guid in self.refi.project_note_guids:
            self.note(project, guid, "project", None)
        for node in self.refi.all_codes():
            for guid in node.note_guids:
                self.note(project, guid, "code", self.codes[node.guid].id)
        for refi in self.refi.sources:
            source = self.sources.get(refi.guid)
            if source is None:
                continue
            for guid in refi.note_guids:
                self.note(project, guid, "source", source.id)
            for selection in refi.selections:
                self._selection_notes(project, source, selection)
        for note in self.refi.notes:
            if note.guid not in self.used_notes:
                self.memo(project, "project", None, (f"{note.name}\n\n" if note.name else "") + note.text,
                          note.user_guid)
                if not self.refi.data:
                    self.report.adjust("notes not attached to anything kept as project memos", note.name)

    def _selection_notes(self, project: Project, source: Source, selection: RefiSelection) -> None:
        for coding in selection.codings:
            for guid in coding.note_guids:
                if coding.guid in self.coding_ids:
                    self.note(project, guid, "coding", self.coding_ids[coding.guid])
                else:
                    self.note(project, guid, "source", source.id)
        first = next((self.coding_ids[c.guid] for c in selection.codings if c.guid in self.coding_ids), None)
        quote = source.text[selection.start:selection.end]
        quote = quote if len(quote) <= 200 else quote[:199] + "…"
        target = ("coding", first) if first is not None else ("source", source.id)
        for guid in selection.note_guids:
            self.note(project, guid, target[0], target[1], f"“{quote}”\n\n")
        if selection.description:
            self.memo(project, target[0], target[1], f"“{quote}”\n\n{selection.description}", None)
            self.report.adjust("selection comments (annotations) imported as memos", quote[:40])


def import_refi(session: Session, refi: RefiProject, report: DataLossReport, *, owner_id: int,
                into_project_id: int | None = None, name: str | None = None) -> ImportResult:
    """Store ``refi`` as a new project (or merge it into ``into_project_id``) in the caller's transaction."""
    importer = _Importer(session, refi, report, owner_id)
    if into_project_id is not None:
        project, _ = get_project_for(session, project_id=into_project_id, user_id=owner_id, needs=Role.CODER)
    else:
        project = importer.create_project(name)
    importer.import_codes(project)
    if not refi.codebook_only:
        importer.import_cases(project)
        importer.import_sources(project)
        importer.import_codings(project)
    importer.import_notes(project)
    unmatched = importer.unmatched
    if unmatched and importer.counts["codings"]:
        report.adjust("people without an account here; their codings and notes are attributed to the importer",
                      ", ".join(sorted(unmatched)[:5]), count=len(unmatched))
    record(session, "project.import", user_id=owner_id, project_id=project.id, object_type="project",
           object_id=project.id, after={"origin": refi.origin, "counts": importer.counts,
                                        "data_loss": report.to_dict()})
    session.flush()
    return ImportResult(project_id=project.id, created=into_project_id is None, counts=importer.counts,
                        report=report)


def import_file(session: Session, filename: str, data: bytes, *, owner_id: int, into_project_id: int | None = None,
                name: str | None = None, split_names: str | None = AUTO) -> ImportResult:
    """Read a .qdpx, .qde or .qdc file and import it in the caller's transaction."""
    refi, report = read_refi(filename, data, split_names=split_names)
    if not refi.codes and not refi.sources and not refi.cases and not refi.notes and into_project_id is not None:
        raise InvalidInput(f"{filename}: the file holds nothing to merge (no codes, sources, cases or notes).")
    return import_refi(session, refi, report, owner_id=owner_id, into_project_id=into_project_id,
                       name=name or (refi.name if not refi.codebook_only else filename.rsplit(".", 1)[0]))
