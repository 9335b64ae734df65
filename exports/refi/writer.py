"""REFI-QDA export: a project as .qdpx (project.qde + sources/<GUID>.txt) or its codebook as .qdc.

Written strictly to the QDA-XML 1.0 schemas: elements in schema order, no empty
containers, every GUID fixed (our objects' own GUIDs; derived ones for users, selections,
variables and sets), code-point offsets end-exclusive, sources as internal UTF-8 text.
No local paths are written (no ``basePath``).
"""

from __future__ import annotations

import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any
from xml.etree.ElementTree import Element, ElementTree, SubElement

from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.codebook import Code, codes_of
from coding.codings import Coding
from coding.kinds import CodeKind
from coding.memos import Memo
from exports.refi.model import CODEBOOK_NS, ORIGIN, PROJECT_NS, canonical_guid, derived_guid, with_marker
from research.accounts import User
from research.errors import NotFound
from research.participants import AttributeDef, AttributeValue, Participant
from research.projects import Project
from research.sources import Segment, Source, SpeakerMapping

CODE_FIELDS = ("when_to_use", "when_not", "examples", "ownership", "actor_type", "medium", "touchpoint_type",
               "company_role", "valence")
FIELD_LABELS = {"when_to_use": "When to use", "when_not": "When not to use", "examples": "Examples"}


def _stamp(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def _set(element: Element, **attributes: str | None) -> Element:
    for key, value in attributes.items():
        if value is not None:
            element.set(key, value)
    return element


def _text(parent: Element, tag: str, text: str) -> None:
    if text:
        SubElement(parent, tag).text = text


def _note_refs(parent: Element, guids: Iterable[str]) -> None:
    for guid in guids:
        SubElement(parent, "NoteRef", targetGUID=guid)


class _Project:
    """Everything of one project the writer needs, loaded once."""

    def __init__(self, session: Session, project_id: int) -> None:
        project = session.get(Project, project_id)
        if project is None:
            raise NotFound(f"There is no project {project_id}.")
        self.project = project
        self.ns = canonical_guid(project.guid) or str(uuid.uuid5(uuid.NAMESPACE_OID, f"kundstig:{project.guid}"))
        self.codes = codes_of(session, project_id)
        self.code_by_id = {c.id: c for c in self.codes}
        self.children: dict[int | None, list[Code]] = defaultdict(list)
        for code in sorted(self.codes, key=lambda c: (c.position, c.id)):
            parent = code.parent_id if code.parent_id in self.code_by_id else None
            self.children[parent].append(code)
        self.phases = {p.id: p for p in project.phases}
        self.memos = list(session.scalars(select(Memo).where(Memo.project_id == project_id).order_by(Memo.id)))
        self.memos_by_target: dict[tuple[str, int | None], list[Memo]] = defaultdict(list)
        for memo in self.memos:
            self.memos_by_target[(memo.target_type, memo.target_id)].append(memo)

    def gid(self, item: Code | Source | Coding | Participant | AttributeDef | Memo) -> str:
        """The object's own GUID, or a stable derived one where a row holds something else."""
        return canonical_guid(item.guid) or derived_guid(self.ns, type(item).__name__, item.id)

    def memo_guids(self, target_type: str, target_id: int | None) -> list[str]:
        return [self.gid(m) for m in self.memos_by_target.get((target_type, target_id), [])]

    def user_guid(self, user_id: int | None) -> str | None:
        return derived_guid(self.ns, "user", user_id) if user_id is not None else None

    def code_description(self, code: Code) -> str:
        lines = [code.description.strip()] if code.description.strip() else []
        for name, label in FIELD_LABELS.items():
            value = str(getattr(code, name) or "").strip()
            if value:
                lines.append(f"{label}: {value}")
        details = [f"{name.replace('_', ' ')}: {getattr(code, name)}" for name in CODE_FIELDS[3:]
                   if getattr(code, name) is not None]
        phase = self.phases.get(code.phase_id) if code.phase_id is not None else None
        if phase is not None:
            details.append(f"phase: {phase.position + 1}. {phase.name}")
        goal = self.code_by_id.get(code.goal_id) if code.goal_id is not None else None
        if goal is not None:
            details.append(f"goal: {goal.name}")
        lines.append(f"Kind: {code.kind.label}" + (f" ({'; '.join(details)})" if details else ""))
        if code.aliases:
            lines.append("Also called: " + ", ".join(code.aliases))
        data: dict[str, Any] = {"kind": code.kind.value, "description": code.description, "aliases": code.aliases,
                                "colour": code.colour}
        data.update({name: getattr(code, name) for name in CODE_FIELDS if getattr(code, name) not in (None, "")})
        if phase is not None:
            data["phase"] = phase.position
        if goal is not None:
            data["goal"] = self.gid(goal)
        return with_marker("\n".join(lines), data)

    def sets(self) -> list[tuple[str, str, str, list[str]]]:
        """(guid, name, description, member code GUIDs): one set per kind in use, one per phase."""
        result = []
        for kind in CodeKind:
            members = [self.gid(c) for c in self.codes if c.kind is kind]
            if members:
                result.append((derived_guid(self.ns, "set", "kind", kind.value), f"Kind: {kind.label}",
                               f"Kundstig codes of the kind '{kind.label}'.", members))
        total = len(self.project.phases)
        for phase in self.project.phases:
            members = [self.gid(c) for c in self.codes if c.phase_id == phase.id]
            if members:
                result.append((derived_guid(self.ns, "set", "phase", phase.position),
                               f"Phase {phase.position + 1}: {phase.name}",
                               f"Journey phase {phase.position + 1} of {total}. {phase.description}".strip(), members))
        return result


def _code_element(parent: Element, data: _Project, code: Code, *, with_notes: bool) -> None:
    element = SubElement(parent, "Code", guid=data.gid(code), name=code.name,
                         isCodable="false" if code.is_folder else "true", color=code.colour)
    _text(element, "Description", data.code_description(code))
    if with_notes:
        _note_refs(element, data.memo_guids("code", code.id))
    for child in data.children.get(code.id, []):
        _code_element(element, data, child, with_notes=with_notes)


def _codes(parent: Element, data: _Project, *, with_notes: bool) -> bool:
    roots = data.children.get(None, [])
    if not roots:
        return False
    codes = SubElement(parent, "Codes")
    for code in roots:
        _code_element(codes, data, code, with_notes=with_notes)
    return True


def write_qdc(session: Session, project_id: int, out: IO[bytes]) -> dict[str, int]:
    """The codebook alone as a .qdc document; returns counts of what was written."""
    data = _Project(session, project_id)
    root = Element("CodeBook", xmlns=CODEBOOK_NS, origin=ORIGIN)
    if not _codes(root, data, with_notes=False):
        # The schema requires at least one code; an empty codebook is still a valid document
        # only with a placeholder, so say so instead of writing an invalid file.
        raise NotFound("The project has no codes yet, so there is no codebook to export.")
    sets = data.sets()
    if sets:
        container = SubElement(root, "Sets")
        for guid, name, description, members in sets:
            element = SubElement(container, "Set", guid=guid, name=name)
            _text(element, "Description", description)
            for member in members:
                SubElement(element, "MemberCode", guid=member)
    ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return {"codes": len(data.codes), "sets": len(sets)}


def _variable_type(attribute: AttributeDef, values: list[str]) -> str:
    """The REFI type whose values all parse; falls back to Text."""
    def all_match(check: Any) -> bool:
        return all(check(v) for v in values)

    def is_int(v: str) -> bool:
        return v.lstrip("-").isdigit()

    def is_decimal(v: str) -> bool:
        try:
            Decimal(v)
        except InvalidOperation:
            return False
        return v.strip().lstrip("+-").replace(".", "", 1).isdigit()

    def is_date(v: str) -> bool:
        try:
            datetime.strptime(v, "%Y-%m-%d")
        except ValueError:
            return False
        return True

    if attribute.type == "number":
        return "Integer" if all_match(is_int) else "Float" if all_match(is_decimal) else "Text"
    if attribute.type == "date":
        return "Date" if all_match(is_date) else "Text"
    if attribute.type == "boolean":
        return "Boolean" if all_match(lambda v: v.lower() in ("true", "false", "1", "0")) else "Text"
    return "Text"


def _value(parent: Element, variable_guid: str, refi_type: str, value: str) -> None:
    element = SubElement(parent, "VariableValue")
    SubElement(element, "VariableRef", targetGUID=variable_guid)
    if refi_type == "Boolean":
        value = "true" if value.lower() in ("true", "1") else "false"
    SubElement(element, f"{refi_type}Value").text = value


def _source_description(data: _Project, source: Source, participants: dict[int, Participant],
                        mappings: list[SpeakerMapping], segments: list[Segment]) -> str:
    readable = f"{source.kind.label}" + (f", {source.original_name}" if source.original_name else "")
    marker: dict[str, Any] = {"kind": source.kind.value}
    for key in ("language", "original_name", "media_type", "encoding", "encoding_warning"):
        if getattr(source, key):
            marker[key] = getattr(source, key)
    if source.details:
        marker["details"] = source.details
    if source.participant_id in participants:
        marker["participant"] = data.gid(participants[source.participant_id])
    if mappings:
        marker["speakers"] = [[m.label, data.gid(participants[m.participant_id]) if m.participant_id in participants
                               else None, m.is_interviewer] for m in mappings]
    if any(s.participant_id is not None or s.question for s in segments):
        marker["segments"] = [[s.kind, s.start, s.end, s.speaker, s.timestamp_ms,
                               data.gid(participants[s.participant_id]) if s.participant_id in participants
                               else None,
                               s.question] for s in segments]
    return with_marker(readable, marker)


def write_qdpx(session: Session, project_id: int, out: IO[bytes]) -> dict[str, int]:
    """The whole project as a .qdpx archive; returns counts of what was written."""
    data = _Project(session, project_id)
    project = data.project
    root = Element("Project", xmlns=PROJECT_NS, name=project.name, origin=ORIGIN)
    _set(root, creationDateTime=_stamp(project.created_at))

    sources = list(session.scalars(select(Source).where(Source.project_id == project_id).order_by(Source.id)))
    source_ids = [s.id for s in sources]
    codings = list(session.scalars(select(Coding).where(Coding.project_id == project_id)
                                   .order_by(Coding.source_id, Coding.start, Coding.end, Coding.id)))
    participants = {p.id: p for p in session.scalars(
        select(Participant).where(Participant.project_id == project_id).order_by(Participant.name, Participant.id))}
    attributes = list(session.scalars(select(AttributeDef).where(AttributeDef.project_id == project_id)
                                      .order_by(AttributeDef.id)))
    values = list(session.scalars(select(AttributeValue).where(AttributeValue.participant_id.in_(list(participants)))))
    segments: dict[int, list[Segment]] = defaultdict(list)
    mappings: dict[int, list[SpeakerMapping]] = defaultdict(list)
    if source_ids:
        for segment in session.scalars(select(Segment).where(Segment.source_id.in_(source_ids))
                                       .order_by(Segment.source_id, Segment.start)):
            segments[segment.source_id].append(segment)
        for mapping in session.scalars(select(SpeakerMapping).where(SpeakerMapping.source_id.in_(source_ids))
                                       .order_by(SpeakerMapping.source_id, SpeakerMapping.label)):
            mappings[mapping.source_id].append(mapping)

    # Users: everyone who coded, wrote a memo or added a source.
    user_ids = {c.coder_id for c in codings} | {m.author_id for m in data.memos} | {s.created_by for s in sources}
    user_ids.discard(None)
    users = list(session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id))) if user_ids else []
    if users:
        container = SubElement(root, "Users")
        for user in users:
            SubElement(container, "User", guid=data.user_guid(user.id) or "", name=user.display_name, id=user.email)

    if data.codes:
        codebook = SubElement(root, "CodeBook")
        _codes(codebook, data, with_notes=True)

    types: dict[int, str] = {}
    if attributes:
        by_attribute: dict[int, list[str]] = defaultdict(list)
        for value in values:
            by_attribute[value.attribute_id].append(value.value)
        container = SubElement(root, "Variables")
        for attribute in attributes:
            types[attribute.id] = _variable_type(attribute, by_attribute[attribute.id])
            element = SubElement(container, "Variable", guid=data.gid(attribute), name=attribute.name,
                                 typeOfVariable=types[attribute.id])
            marker: dict[str, Any] = {"type": attribute.type}
            if attribute.choices:
                marker["choices"] = attribute.choices
            _text(element, "Description", with_marker(f"Participant attribute ({attribute.type})", marker))

    if participants:
        values_of: dict[int, list[AttributeValue]] = defaultdict(list)
        for value in values:
            values_of[value.participant_id].append(value)
        attribute_by_id = {a.id: a for a in attributes}
        container = SubElement(root, "Cases")
        for participant in participants.values():
            element = SubElement(container, "Case", guid=data.gid(participant), name=participant.name)
            _text(element, "Description", participant.description)
            for value in sorted(values_of[participant.id], key=lambda v: v.attribute_id):
                attribute = attribute_by_id[value.attribute_id]
                _value(element, data.gid(attribute), types[attribute.id], value.value)
            for source in sources:
                if source.participant_id == participant.id:
                    SubElement(element, "SourceRef", targetGUID=data.gid(source))

    by_source: dict[int, list[Coding]] = defaultdict(list)
    for coding in codings:
        by_source[coding.source_id].append(coding)
    files: list[tuple[str, bytes]] = []
    if sources:
        container = SubElement(root, "Sources")
        for source in sources:
            source_guid = data.gid(source)
            element = SubElement(container, "TextSource", guid=source_guid, name=source.name,
                                 plainTextPath=f"internal://{source_guid}.txt")
            _set(element, creatingUser=data.user_guid(source.created_by), creationDateTime=_stamp(source.created_at))
            _text(element, "Description", _source_description(data, source, participants, mappings[source.id],
                                                              segments[source.id]))
            spans: dict[tuple[int, int], list[Coding]] = defaultdict(list)
            for coding in by_source[source.id]:
                spans[(coding.start, coding.end)].append(coding)
            for (start, end), group in spans.items():
                quote = source.text[start:end]
                selection = SubElement(element, "PlainTextSelection",
                                       guid=derived_guid(data.ns, "selection", source_guid, start, end),
                                       name=quote if len(quote) <= 60 else quote[:59] + "…",
                                       startPosition=str(start), endPosition=str(end))
                _set(selection, creatingUser=data.user_guid(group[0].coder_id),
                     creationDateTime=_stamp(group[0].created_at))
                for coding in group:
                    item = SubElement(selection, "Coding", guid=data.gid(coding))
                    _set(item, creatingUser=data.user_guid(coding.coder_id), creationDateTime=_stamp(coding.created_at))
                    SubElement(item, "CodeRef", targetGUID=data.gid(data.code_by_id[coding.code_id]))
                    _note_refs(item, data.memo_guids("coding", coding.id))
            _note_refs(element, data.memo_guids("source", source.id))
            files.append((f"sources/{source_guid}.txt", source.text.encode("utf-8")))

    if data.memos:
        container = SubElement(root, "Notes")
        for memo in data.memos:
            first = memo.text.strip().splitlines()[0] if memo.text.strip() else "Memo"
            name = first if len(first) <= 60 else first[:59] + "…"
            element = SubElement(container, "Note", guid=data.gid(memo), name=name)
            _set(element, creatingUser=data.user_guid(memo.author_id), creationDateTime=_stamp(memo.created_at))
            _text(element, "Description", with_marker(f"Memo on a {memo.target_type}", {"target": memo.target_type}))
            SubElement(element, "PlainTextContent").text = memo.text

    sets = data.sets()
    if sets:
        container = SubElement(root, "Sets")
        for guid, name, description, members in sets:
            element = SubElement(container, "Set", guid=guid, name=name)
            _text(element, "Description", description)
            for member in members:
                SubElement(element, "MemberCode", targetGUID=member)

    marker = {"language": project.language, "company_name": project.company_name,
              "company_aliases": project.company_aliases, "phase_model": project.phase_model,
              "description": project.description,
              "phases": [[p.name, p.description] for p in project.phases]}
    _text(root, "Description", with_marker(project.description, marker))
    _note_refs(root, data.memo_guids("project", None))

    stamp = project.created_at.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        qde = zipfile.ZipInfo("project.qde", date_time=stamp)
        qde.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(qde, "w") as handle:
            ElementTree(root).write(handle, encoding="utf-8", xml_declaration=True)
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return {"users": len(users), "codes": len(data.codes), "variables": len(attributes), "cases": len(participants),
            "sources": len(sources), "codings": len(codings), "notes": len(data.memos), "sets": len(sets)}
