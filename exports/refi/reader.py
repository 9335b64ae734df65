"""REFI-QDA import, first half: a .qdpx, .qde or .qdc file read into a :class:`RefiProject`.

Reading is lenient (see the REFI notes on what real programs write): any single ``*.qde``
at the archive root, folders looked up case-insensitively, bare file names taken as
internal, ``\\r\\n`` normalised with offsets moved to match, non-GUID ids replaced.
What cannot be carried over goes into the :class:`DataLossReport`. Archives are checked
before reading and XML is parsed with defusedxml (no DTDs, no entities).
"""

from __future__ import annotations

import unicodedata
import uuid
import zipfile
import zlib
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from exports.refi.model import (
    DataLossReport,
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
    RefiUser,
    RefiVariable,
    canonical_guid,
    split_marker,
)
from research.archives import open_safe_zip
from research.errors import IngestError, InvalidInput
from research.parsers import parse_file
from research.text import decode, normalise

MAX_XML_BYTES = 200 * 1024 * 1024
VARIABLE_TYPES = ("Text", "Boolean", "Integer", "Float", "Date", "DateTime")
VALUE_TAGS = {f"{t}Value" for t in VARIABLE_TYPES}
AUTO = "auto"

# What reading a damaged entry of a zip raises (bad CRC, broken deflate stream, bad offsets).
UNREADABLE_ENTRY = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError, NotImplementedError)


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element, name: str) -> Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _child_text(element: Element, name: str) -> str:
    found = _child(element, name)
    return (found.text or "") if found is not None else ""


def _parse_xml(raw: bytes, what: str) -> Element:
    if len(raw) > MAX_XML_BYTES:
        raise IngestError(f"The {what} is larger than {MAX_XML_BYTES // (1024 * 1024)} MB; it was not read.")
    try:
        return fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise IngestError(
            f"The {what} contains XML constructs that are refused for safety (a DTD or entities); it was not read."
        ) from error
    except (ParseError, LookupError) as error:  # LookupError: an encoding Python does not know
        raise IngestError(f"The {what} is not well-formed XML ({error}); it was not read.") from error


def map_offsets(raw: str, *, crlf_is_one: bool) -> tuple[str, list[int]]:
    """Normalise ``raw`` as Kundstig stores text and map every offset of ``raw`` into it.

    ``crlf_is_one``: the file's offsets count ``\\r\\n`` as one character (ATLAS.ti), so
    that pair is collapsed before offsets are taken.
    """
    if crlf_is_one:
        raw = raw.replace("\r\n", "\n")
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    n = len(raw)
    mapping = [0] * (n + 1)
    pieces: list[str] = []
    out = i = 0
    while i < n:
        if raw[i] == "\r":
            mapping[i] = out
            if i + 1 < n and raw[i + 1] == "\n":
                mapping[i + 1] = out
                i += 1
            i += 1
            pieces.append("\n")
            out += 1
            continue
        j = i + 1
        while j < n and unicodedata.combining(raw[j]):
            j += 1
        group = unicodedata.normalize("NFC", raw[i:j])
        for k in range(i, j):
            mapping[k] = out
        pieces.append(group)
        out += len(group)
        i = j
    mapping[n] = out
    text = "".join(pieces)
    expected = normalise(raw)
    if text != expected:  # composition across groups (rare scripts): fall back to the plain rule
        return expected, [min(m, len(expected)) for m in mapping]
    return text, mapping


class _Reader:
    def __init__(self, report: DataLossReport, archive: zipfile.ZipFile | None, split: str | None) -> None:
        self.report = report
        self.archive = archive
        self.split = split
        self.files = {info.filename.lower(): info.filename for info in archive.infolist()} if archive else {}
        self.guids: dict[str, str] = {}
        self.seen: set[str] = set()
        self.origin = ""

    # GUIDs -----------------------------------------------------------------------------
    def guid(self, raw: str | None, what: str) -> str:
        """A canonical GUID for a defining ``guid`` attribute; non-GUIDs and repeats get fresh ones."""
        value = (raw or "").strip()
        canonical = canonical_guid(value)
        if canonical is None or canonical in self.seen:
            fresh = str(uuid.uuid4())
            if canonical is None:
                self.report.adjust("ids that are not GUIDs replaced by new GUIDs", f"{what} '{value}'")
            else:
                self.report.adjust("repeated GUIDs replaced by new GUIDs", f"{what} '{value}'")
            if value and value not in self.guids:
                self.guids[value] = fresh
            self.seen.add(fresh)
            return fresh
        self.seen.add(canonical)
        self.guids.setdefault(value, canonical)
        return canonical

    def ref(self, raw: str | None) -> str | None:
        value = (raw or "").strip()
        return self.guids.get(value) or canonical_guid(value)

    def refs(self, element: Element, tag: str) -> list[str]:
        found = [self.ref(r.get("targetGUID")) for r in _children(element, tag)]
        return [f for f in found if f]

    # Files -----------------------------------------------------------------------------
    def file_bytes(self, path: str, what: str) -> bytes | None:
        path = path.strip()
        scheme, sep, rest = path.partition("://")
        if sep and scheme.lower() != "internal":
            self.report.lose(f"{what}s stored outside the project file", path.rpartition("/")[2])
            return None
        name = (rest if sep else path).lstrip("/")
        if self.archive is None:
            self.report.lose(f"{what}s whose file is not inside (a bare .qde has no sources folder)", name)
            return None
        for candidate in (f"sources/{name}", name):
            found = self.files.get(candidate.lower())
            if found is not None:
                try:
                    return self.archive.read(found)
                except UNREADABLE_ENTRY as error:
                    raise IngestError(f"The project file is damaged: '{found}' cannot be read.") from error
        self.report.lose(f"{what}s whose file is missing from the archive", name)
        return None

    def text_of(self, element: Element, what: str, name: str) -> tuple[str, list[int]] | None:
        """Normalised text and offset map of a TextSource-like element, or None."""
        content = _child(element, "PlainTextContent")
        if content is not None and content.text is not None:
            raw = content.text
        elif element.get("plainTextPath"):
            data = self.file_bytes(element.get("plainTextPath", ""), what)
            if data is None:
                return None
            decoded = decode(data)
            if decoded.warning:
                self.report.adjust("texts with doubtful encoding", name)
            raw = decoded.text
        else:
            self.report.lose(f"{what}s without plain text", name)
            return None
        crlf_is_one = "atlas.ti" in self.origin.lower()
        if "\r" in raw:
            self.report.adjust("texts with \\r\\n line endings normalised (offsets moved to match)", name)
        return map_offsets(raw, crlf_is_one=crlf_is_one)

    # Elements --------------------------------------------------------------------------
    def code(self, element: Element) -> RefiCode:
        name = (element.get("name") or "").strip() or "(unnamed code)"
        description, data = split_marker(_child_text(element, "Description"))
        color = (element.get("color") or "").strip()
        if len(color) == 4 and color.startswith("#"):
            color = "#" + "".join(c * 2 for c in color[1:])
        code = RefiCode(
            guid=self.guid(element.get("guid"), "code"), name=name,
            codable=(element.get("isCodable") or "true").strip().lower() not in ("false", "0"),
            color=color.lower() if len(color) == 7 and color.startswith("#") else None,
            description=description, data=data if self.own else None,
            note_guids=self.refs(element, "NoteRef"),
        )
        code.children = [self.code(child) for child in _children(element, "Code")]
        return code

    @property
    def own(self) -> bool:
        return self.origin.startswith("Kundstig")

    def split_names(self, codes: list[RefiCode]) -> list[RefiCode]:
        separator = self.split
        if separator == AUTO:
            origin = self.origin.lower()
            separator = "\\" if origin.startswith("taguette") else "::" if "atlas.ti" in origin else None
        return _split_names(codes, separator, self.report) if separator else codes

    def selection(self, element: Element, mapping: list[int], text: str, source: str) -> RefiSelection | None:
        try:
            start, end = int(element.get("startPosition", "")), int(element.get("endPosition", ""))
        except ValueError:
            self.report.lose("selections with unreadable positions", source)
            return None
        return self.span(element, mapping, text, source, start, end)

    def span(self, element: Element, mapping: list[int], text: str, source: str, start: int,
             end: int) -> RefiSelection | None:
        limit = len(mapping) - 1
        codings = self.codings(element)
        if end > limit and start < limit:
            self.report.adjust("selections running past the end of their text, cut at the end", source)
            end = limit
        if not 0 <= start < end <= limit or mapping[start] >= mapping[end]:
            self.report.lose("selections outside their text (with their codings)", f"{source} {start}–{end}")
            if codings:
                self.report.lose("codings", count=len(codings))
            return None
        return RefiSelection(guid=self.guid(element.get("guid"), "selection"), start=mapping[start],
                             end=mapping[end], codings=codings,
                             description=_child_text(element, "Description").strip(),
                             note_guids=self.refs(element, "NoteRef"))

    def codings(self, element: Element) -> list[RefiCoding]:
        result = []
        for coding in _children(element, "Coding"):
            code_ref = _child(coding, "CodeRef")
            target = self.ref(code_ref.get("targetGUID")) if code_ref is not None else None
            if target is None:
                self.report.lose("codings without a code reference")
                continue
            result.append(RefiCoding(guid=self.guid(coding.get("guid"), "coding"), code_guid=target,
                                     user_guid=self.ref(coding.get("creatingUser")),
                                     note_guids=self.refs(coding, "NoteRef")))
        return result

    def text_source(self, element: Element, what: str, name: str, guid: str) -> RefiSource | None:
        loaded = self.text_of(element, what, name)
        if loaded is None:
            self.count_lost_codings(element)
            return None
        text, mapping = loaded
        if not text.strip() and not _children(element, "PlainTextSelection"):
            text = self.rich_text(element, name)
            mapping = list(range(len(text) + 1))
        description, data = split_marker(_child_text(element, "Description"))
        source = RefiSource(guid=guid, name=name, text=text, description=description,
                            data=data if self.own else None, note_guids=self.refs(element, "NoteRef"),
                            values=self.values(element))
        for selection in _children(element, "PlainTextSelection"):
            found = self.selection(selection, mapping, text, name)
            if found is not None:
                source.selections.append(found)
        whole = self.codings(element)
        if whole and text:
            source.selections.append(RefiSelection(guid=str(uuid.uuid4()), start=0, end=len(text), codings=whole))
            self.report.adjust("codings of a whole source turned into a coding of its full text", name)
        return source

    def rich_text(self, element: Element, name: str) -> str:
        """The text of a .docx rich-text file, for programs (NVivo for Mac) that leave the plain text empty."""
        path = element.get("richTextPath") or ""
        if not path.lower().endswith(".docx"):
            return ""
        data = self.file_bytes(path, "rich text")
        if data is None:
            return ""
        try:
            text = parse_file("source.docx", data).text
        except InvalidInput:
            return ""
        self.report.adjust("sources with an empty plain text read from their .docx instead", name)
        return text

    def count_lost_codings(self, element: Element) -> None:
        count = sum(1 for node in element.iter() if _local(node.tag) == "Coding")
        if count:
            self.report.lose("codings", count=count)

    def values(self, element: Element) -> dict[str, str]:
        values = {}
        for value in _children(element, "VariableValue"):
            ref = _child(value, "VariableRef")
            target = self.ref(ref.get("targetGUID")) if ref is not None else None
            given = next((v for v in value if _local(v.tag) in VALUE_TAGS), None)
            if target and given is not None and (given.text or "").strip():
                values[target] = given.text.strip()  # type: ignore[union-attr]
        return values

    def source(self, element: Element, project: RefiProject) -> None:
        kind = _local(element.tag)
        name = (element.get("name") or "").strip() or "(unnamed source)"
        guid = self.guid(element.get("guid"), "source")
        if kind == "TextSource":
            found = self.text_source(element, "text source", name, guid)
            if found is not None:
                project.sources.append(found)
            return
        if kind == "PDFSource":
            self._regions(element, "PDFSelection", "selections of PDF areas", name)
            representation = _child(element, "Representation")
            if representation is None:
                self.report.lose("PDF sources without a text representation", name)
                self.count_lost_codings(element)
                return
            self.report.adjust("PDF sources imported as their text representation only", name)
            found = self.text_source(representation, "PDF text", name, guid)
            if found is not None:
                found.values.update(self.values(element))
                found.note_guids += self.refs(element, "NoteRef")
                project.sources.append(found)
            return
        if kind in ("AudioSource", "VideoSource"):
            label = "audio" if kind == "AudioSource" else "video"
            self._regions(element, f"{label.capitalize()}Selection", f"time selections in {label}", name)
            transcripts = _children(element, "Transcript")
            if not transcripts:
                self.report.lose(f"{label} sources (media files are not imported)", name)
                return
            self.report.adjust(f"{label} sources imported as their transcripts only", name)
            for index, transcript in enumerate(transcripts):
                title = name if len(transcripts) == 1 else f"{name} ({index + 1})"
                self._transcript(transcript, title, guid if index == 0 else None, project)
            return
        if kind == "PictureSource":
            self.report.lose("picture sources", name)
            self.count_lost_codings(element)
            return
        self.report.lose(f"sources of an unknown type ({kind})", name)

    def _regions(self, element: Element, tag: str, what: str, source: str) -> None:
        for region in _children(element, tag):
            self.report.lose(what, source)
            self.count_lost_codings(region)

    def _transcript(self, element: Element, name: str, guid: str | None, project: RefiProject) -> None:
        loaded = self.text_of(element, "transcript", name)
        if loaded is None:
            self.count_lost_codings(element)
            return
        text, mapping = loaded
        source = RefiSource(guid=self.guid(guid or element.get("guid"), "transcript"), name=name, text=text,
                            note_guids=self.refs(element, "NoteRef"))
        points = {}
        for point in _children(element, "SyncPoint"):
            key = self.ref(point.get("guid"))
            if key and (point.get("position") or "").strip().lstrip("-").isdigit():
                points[key] = int(point.get("position", "0"))
        for selection in _children(element, "TranscriptSelection"):
            start = points.get(self.ref(selection.get("fromSyncPoint")) or "")
            end = points.get(self.ref(selection.get("toSyncPoint")) or "")
            if start is None or end is None:
                self.report.lose("transcript selections without text positions", name)
                self.count_lost_codings(selection)
                continue
            found = self.span(selection, mapping, text, name, start, end)
            if found is not None:
                source.selections.append(found)
        project.sources.append(source)


def _split_names(codes: list[RefiCode], separator: str, report: DataLossReport) -> list[RefiCode]:
    """Turn flattened names such as ``Coke::diet Coke`` back into a hierarchy."""
    def parts_of(code: RefiCode) -> list[str]:
        parts = [p.strip() for p in code.name.split(separator)]
        return parts if len(parts) > 1 and all(parts) else []

    result = [c for c in codes if not parts_of(c)]
    for code in codes:
        parts = parts_of(code)
        if not parts:
            continue
        report.adjust(f"code names containing '{separator}' split into a hierarchy", code.name)
        level = result
        for part in parts[:-1]:
            parent = next((c for c in level if c.name == part), None)
            if parent is None:
                parent = RefiCode(guid=str(uuid.uuid4()), name=part, codable=False)
                report.adjust("folders created for split code names", part)
                level.append(parent)
            level = parent.children
        code.name = parts[-1]
        level.append(code)
    for code in result:
        code.children = _split_names(code.children, separator, report)
    return result


def _read_project_xml(root: Element, reader: _Reader) -> RefiProject:
    report = reader.report
    reader.origin = (root.get("origin") or "").strip()
    description, data = split_marker(_child_text(root, "Description"))
    project = RefiProject(name=(root.get("name") or "").strip() or "Imported project", origin=reader.origin,
                          description=description, data=data if reader.own else None)
    users = _child(root, "Users")
    for user in _children(users, "User") if users is not None else []:
        project.users.append(RefiUser(guid=reader.guid(user.get("guid"), "user"),
                                      name=(user.get("name") or "").strip(), ident=(user.get("id") or "").strip()))
    codebook = _child(root, "CodeBook")
    codes = _child(codebook, "Codes") if codebook is not None else None
    if codes is not None:
        project.codes = reader.split_names([reader.code(c) for c in _children(codes, "Code")])
    variables = _child(root, "Variables")
    for variable in _children(variables, "Variable") if variables is not None else []:
        kind = (variable.get("typeOfVariable") or "Text").strip()
        name = (variable.get("name") or "").strip() or "(unnamed variable)"
        if kind not in VARIABLE_TYPES:
            report.adjust("variables of an unknown type imported as text", f"{name} ({kind})")
            kind = "Text"
        _, marker = split_marker(_child_text(variable, "Description"))
        project.variables.append(RefiVariable(guid=reader.guid(variable.get("guid"), "variable"), name=name,
                                              type=kind, data=marker if reader.own else None))
    # Sources before cases, so a case's references resolve whatever their order.
    sources = _child(root, "Sources")
    for element in list(sources) if sources is not None else []:
        reader.source(element, project)
    cases = _child(root, "Cases")
    for element in _children(cases, "Case") if cases is not None else []:
        name = (element.get("name") or "").strip() or "(unnamed case)"
        case = RefiCase(guid=reader.guid(element.get("guid"), "case"), name=name,
                        description=_child_text(element, "Description").strip(), values=reader.values(element),
                        source_guids=reader.refs(element, "SourceRef"))
        if _children(element, "CodeRef"):
            report.lose("codes applied to whole cases", name, count=len(_children(element, "CodeRef")))
        if _children(element, "SelectionRef"):
            report.lose("selections linked to cases", name, count=len(_children(element, "SelectionRef")))
        project.cases.append(case)
    notes = _child(root, "Notes")
    for element in _children(notes, "Note") if notes is not None else []:
        name = (element.get("name") or "").strip()
        guid = reader.guid(element.get("guid"), "note")
        loaded = reader.text_of(element, "note", name or "note")
        if loaded is None:
            continue
        if _children(element, "PlainTextSelection"):
            report.lose("selections inside notes", name)
        project.notes.append(RefiNote(guid=guid, name=name, text=loaded[0].strip(),
                                      user_guid=reader.ref(element.get("creatingUser"))))
    links = _child(root, "Links")
    for link in _children(links, "Link") if links is not None else []:
        report.lose("links between objects", (link.get("name") or "").strip())
    sets = _child(root, "Sets")
    if sets is not None and not reader.own:
        for element in _children(sets, "Set"):
            report.lose("sets (groups of codes or sources)", (element.get("name") or "").strip())
    graphs = _child(root, "Graphs")
    for graph in _children(graphs, "Graph") if graphs is not None else []:
        report.lose("graphs (network views)", (graph.get("name") or "").strip())
    project.project_note_guids = reader.refs(root, "NoteRef")
    return project


def _read_codebook_xml(root: Element, reader: _Reader) -> RefiProject:
    reader.origin = (root.get("origin") or "").strip()
    project = RefiProject(name="Imported codebook", origin=reader.origin, codebook_only=True)
    codes = _child(root, "Codes")
    if codes is not None:
        project.codes = reader.split_names([reader.code(c) for c in _children(codes, "Code")])
    sets = _child(root, "Sets")
    if sets is not None and not reader.own:
        for element in _children(sets, "Set"):
            reader.report.lose("sets (groups of codes)", (element.get("name") or "").strip())
    return project


def _root_kind(root: Element) -> str:
    kind = _local(root.tag)
    if kind not in ("Project", "CodeBook"):
        raise IngestError(f"This is not a REFI-QDA file: its XML starts with <{kind}>, not <Project> or <CodeBook>.")
    return kind


def read_qdc(data: bytes, *, split_names: str | None = AUTO) -> tuple[RefiProject, DataLossReport]:
    """A .qdc codebook (or a bare .qde project) read into the intermediate structure."""
    report = DataLossReport()
    root = _parse_xml(data, "codebook")
    reader = _Reader(report, None, split_names)
    if _root_kind(root) == "Project":
        return _read_project_xml(root, reader), report
    return _read_codebook_xml(root, reader), report


def read_qdpx(data: bytes, *, split_names: str | None = AUTO) -> tuple[RefiProject, DataLossReport]:
    """A .qdpx archive read into the intermediate structure, after the archive is checked."""
    report = DataLossReport()
    archive = open_safe_zip(data)
    with archive:
        names = [i.filename for i in archive.infolist()]
        project_files = [n for n in names if "/" not in n.strip("/") and n.lower().endswith(".qde")]
        if len(project_files) != 1:
            found = "none" if not project_files else ", ".join(project_files)
            raise IngestError(f"A .qdpx file must hold exactly one project (*.qde) at its top level; found {found}.")
        for name in names:
            lower = name.lower()
            if name not in project_files and not lower.endswith("/") and not lower.startswith("sources/"):
                report.adjust("files outside the sources folder ignored", name)
            elif lower.startswith("sources/") and lower.rpartition("/")[2].startswith("."):
                report.adjust("hidden files in the sources folder ignored", name)
        try:
            raw = archive.read(project_files[0])
        except UNREADABLE_ENTRY as error:
            raise IngestError("The project file is damaged: its project.qde cannot be read.") from error
        root = _parse_xml(raw, "project file")
        if _root_kind(root) != "Project":
            raise IngestError("The .qde inside the archive is not a REFI-QDA project (<Project>).")
        return _read_project_xml(root, _Reader(report, archive, split_names)), report


def read_refi(filename: str, data: bytes, *, split_names: str | None = AUTO) -> tuple[RefiProject, DataLossReport]:
    """Read a .qdpx, .qde or .qdc file, telling them apart by content."""
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return read_qdpx(data, split_names=split_names)
    if data.lstrip()[:1] != b"<" and not data.startswith(b"\xef\xbb\xbf"):
        raise IngestError(f"{filename}: this is neither a REFI-QDA project (.qdpx/.qde) nor a codebook (.qdc).")
    return read_qdc(data, split_names=split_names)
