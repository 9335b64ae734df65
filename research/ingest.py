"""Importing uploaded files as sources: one unit of work per file.

Parsing happens before any database work (no lock is held while a document is
read); storing happens inside one transaction per file, so a rejected file leaves
nothing behind and the other files of a batch still import.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any, Literal

from sqlalchemy.orm import Session

from research.db import transaction
from research.errors import Conflict, DomainError, IngestError, InvalidInput
from research.language import detect_language
from research.parsers import ParsedDocument, PdfLimits, parse_file
from research.parsers.pdf import DEFAULT_LIMITS
from research.segmenting import speakers
from research.sources import Source, SourceKind, SpeakerMapping, add_source
from research.surveys import import_survey
from research.tables import read_table

Status = Literal["imported", "duplicate", "rejected", "queued"]
OBSERVATION_FIELDS = ("date", "place", "observer", "context")
TABLE_EXTENSIONS = frozenset({".csv", ".tsv", ".xlsx"})
# Language detection reads the beginning of a text; more adds time, not accuracy.
_LANGUAGE_SAMPLE = 20_000
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


@dataclass
class FileResult:
    """What happened to one uploaded file, in words a researcher can act on."""

    name: str
    status: Status
    reason: str = ""
    source_ids: list[int] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    segments: int = 0
    language: str | None = None
    warnings: list[str] = field(default_factory=list)
    job_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SurveyColumns:
    id_column: str
    text_columns: list[str]
    attribute_columns: list[str] = field(default_factory=list)
    question_column: str | None = None


@dataclass(frozen=True)
class ImportOptions:
    kind: SourceKind = SourceKind.INTERVIEW
    details: dict[str, str] = field(default_factory=dict)
    survey: SurveyColumns | None = None
    pdf_limits: PdfLimits = DEFAULT_LIMITS


def clean_filename(name: str) -> str:
    """The last component of an uploaded name, without control or reserved characters.

    Browsers and scripts may send ``../../x.txt`` or ``C:\\Users\\x.txt``; only the
    file's own name is kept (and never used as a path)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", _UNSAFE.sub("", base)).strip().lstrip(".")
    return base[:200] or "unnamed file"


def parse_kind(value: str | None) -> SourceKind:
    try:
        return SourceKind((value or "interview").strip().lower())
    except ValueError as error:
        choices = ", ".join(k.value for k in SourceKind)
        raise InvalidInput(f"Unknown kind of source '{value}'; use one of {choices}.") from error


def observation_details(values: dict[str, str]) -> dict[str, str]:
    """Date, place, observer and context of an observation; the date must be a real date."""
    details = {key: (values.get(key) or "").strip()[:500] for key in OBSERVATION_FIELDS}
    if details["date"]:
        try:
            dt.date.fromisoformat(details["date"])
        except ValueError as error:
            raise InvalidInput(f"The observation date '{details['date']}' is not a date (use YYYY-MM-DD).") from error
    return {key: value for key, value in details.items() if value}


@dataclass
class PreparedDocument:
    name: str
    data: bytes
    parsed: ParsedDocument
    language: str | None


def prepare_document(name: str, data: bytes, *, pdf_limits: PdfLimits = DEFAULT_LIMITS) -> PreparedDocument:
    """Parse and detect the language; touches no database. Raises :class:`IngestError`."""
    parsed = parse_file(name, data, pdf_limits=pdf_limits)
    return PreparedDocument(name, data, parsed, detect_language(parsed.text[:_LANGUAGE_SAMPLE]))


def store_document(session: Session, prepared: PreparedDocument, *, project_id: int, kind: SourceKind,
                   user_id: int | None, details: dict[str, str] | None = None) -> Source:
    """Store a parsed document with its segments and one unmapped speaker row per speaker."""
    parsed = prepared.parsed
    source = add_source(
        session, project_id=project_id, kind=kind, name=PurePath(prepared.name).stem or prepared.name,
        text=parsed.text, spans=parsed.spans, original=prepared.data, original_name=prepared.name,
        media_type=parsed.media_type, language=prepared.language, encoding=parsed.encoding,
        encoding_warning="\n".join(parsed.warnings) or None, details=dict(details or {}), created_by=user_id,
    )
    for label in speakers(parsed.spans):
        session.add(SpeakerMapping(source_id=source.id, label=label[:200]))
    session.flush()
    return source


def import_file(session: Session, *, project_id: int, user_id: int | None, name: str, data: bytes,
                options: ImportOptions) -> FileResult:
    """Import one file in its own transaction and say what happened; never raises a DomainError."""
    name = clean_filename(name)
    try:
        if options.kind is SourceKind.SURVEY:
            return _import_survey_file(session, project_id=project_id, user_id=user_id, name=name, data=data,
                                       options=options)
        prepared = prepare_document(name, data, pdf_limits=options.pdf_limits)
        details = options.details if options.kind is SourceKind.OBSERVATION else {}
        with transaction(session):
            source = store_document(session, prepared, project_id=project_id, kind=options.kind, user_id=user_id,
                                    details=details)
        return FileResult(name, "imported", source_ids=[source.id], speakers=speakers(prepared.parsed.spans),
                          segments=len(prepared.parsed.spans), language=prepared.language,
                          warnings=list(prepared.parsed.warnings))
    except Conflict as error:
        return FileResult(name, "duplicate", reason=str(error))
    except DomainError as error:
        return FileResult(name, "rejected", reason=_named(name, str(error)))


def _import_survey_file(session: Session, *, project_id: int, user_id: int | None, name: str, data: bytes,
                        options: ImportOptions) -> FileResult:
    columns = options.survey
    if columns is None:
        raise InvalidInput("Survey files need their columns chosen: the respondent id column and the open "
                           "questions (use the survey import page, or --id-column and --text-columns).")
    if PurePath(name).suffix.lower() not in TABLE_EXTENSIONS:
        raise IngestError("Survey answers are imported from .csv or .xlsx files.")
    table = read_table(name, data)
    sample = " ".join((row[table.columns.index(c)] or "") for row in table.rows[:200] for c in columns.text_columns
                      if c in table.columns)
    language = detect_language(sample[:_LANGUAGE_SAMPLE])
    with transaction(session):
        imported = import_survey(
            session, project_id=project_id, table=table, id_column=columns.id_column,
            text_columns=columns.text_columns, attribute_columns=columns.attribute_columns, original=data,
            original_name=name, user_id=user_id, language=language, question_column=columns.question_column,
        )
    return FileResult(name, "imported", source_ids=[s.id for s in imported.sources], segments=imported.answers,
                      language=language, warnings=list(table.warnings),
                      reason=f"{imported.respondents} respondents, {imported.answers} answers")


def import_files(session: Session, *, project_id: int, user_id: int | None, files: Iterable[tuple[str, bytes]],
                 options: ImportOptions) -> list[FileResult]:
    return [import_file(session, project_id=project_id, user_id=user_id, name=name, data=data, options=options)
            for name, data in files]


def _named(name: str, message: str) -> str:
    """Every reason names its file, whichever layer wrote the message."""
    return message if message.startswith(f"{name}:") else f"{name}: {message}"


def import_staged(session: Session, *, project_id: int, user_id: int | None, upload_id: int, options: ImportOptions,
                  report: Any) -> FileResult:
    """The body of a background import: the staged file is read, the read committed (no
    lock is held while parsing), imported in its own transaction, then dropped."""
    from research.staging import StagedUpload, discard_upload, get_upload

    upload = get_upload(session, project_id=project_id, upload_id=upload_id, purpose="document")
    name, data = upload.name, upload.data
    report(0, 2, f"Reading {name}")
    result = import_file(session, project_id=project_id, user_id=user_id, name=name, data=data, options=options)
    staged = session.get(StagedUpload, upload_id)
    if staged is not None:
        discard_upload(session, staged)
    report(1, 2, f"{name}: {result.status}")
    return result
