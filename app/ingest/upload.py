"""The upload page: several files at once, one result per file, large files as jobs;
then the speakers of the new sources are mapped to participants."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from app.database import db_session
from app.ingest import bp
from app.ingest.common import job_threshold, max_upload_bytes, pdf_limits, user_id, wants_json
from app.projects.access import load_project
from app.queue import get_queue
from app.security import login_required
from app.suggestions.runs import after_import
from coding.events import record
from research.db import transaction
from research.errors import InvalidInput
from research.ingest import FileResult, ImportOptions, clean_filename, import_file, observation_details, parse_kind
from research.participants import participants_of
from research.projects import Role
from research.sources import SourceKind, get_source
from research.speakers import SpeakerChoice, map_speakers, speaker_rows, unmapped_sources
from research.staging import stage_upload

DOCUMENT_KINDS = [kind for kind in SourceKind if kind is not SourceKind.SURVEY]


def options_from_form() -> ImportOptions:
    kind = parse_kind(request.form.get("kind"))
    if kind is SourceKind.SURVEY:
        raise InvalidInput("Survey answers are imported on the survey page, where you choose the columns.")
    details = observation_details(request.form.to_dict()) if kind is SourceKind.OBSERVATION else {}
    return ImportOptions(kind=kind, details=details, pdf_limits=pdf_limits())


def import_uploads(project_id: int, files: list[FileStorage], options: ImportOptions) -> list[FileResult]:
    """Import each file in its own transaction; files above the job threshold go to the queue."""
    db = db_session()
    results = []
    for storage in files:
        name = clean_filename(storage.filename or "")
        data = storage.read()
        if len(data) > job_threshold() and options.kind is not SourceKind.SURVEY:
            results.append(_enqueue(project_id, name, data, options))
            continue
        result = import_file(db, project_id=project_id, user_id=user_id(), name=name, data=data, options=options)
        if result.status == "imported":
            with transaction(db):
                record(db, "source.import", user_id=user_id(), project_id=project_id, object_type="source",
                       object_id=result.source_ids[0], after={"name": name, "kind": options.kind.value})
            after_import(db, project_id=project_id, user_id=user_id(), source_ids=result.source_ids)
        results.append(result)
    return results


def _enqueue(project_id: int, name: str, data: bytes, options: ImportOptions) -> FileResult:
    db = db_session()
    with transaction(db):
        staged = stage_upload(db, project_id=project_id, user_id=user_id(), purpose="document", name=name, data=data)
    job = get_queue().enqueue(db, "ingest.document", project_id=project_id, user_id=user_id(),
                              upload_id=staged.id, source_kind=options.kind.value, details=options.details)
    return FileResult(name, "queued", reason="Large file: it is imported in the background.", job_id=job.id)


@bp.get("/projects/<int:project_id>/import")
@login_required
def upload_page(project_id: int) -> str:
    project, role = load_project(project_id, needs=Role.CODER)
    return render_template("ingest/upload.html", project=project, role=role, kinds=DOCUMENT_KINDS,
                           max_bytes=max_upload_bytes(), job_bytes=job_threshold(),
                           waiting=unmapped_sources(db_session(), project.id)[:20])


@bp.post("/projects/<int:project_id>/import")
@login_required
def upload(project_id: int) -> Response | str | tuple[Response, int]:
    project, role = load_project(project_id, needs=Role.CODER)
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        raise InvalidInput("Choose at least one file to import.")
    results = import_uploads(project.id, files, options_from_form())
    if wants_json():
        return jsonify(results=[result_json(project.id, r) for r in results])
    return render_template("ingest/results.html", project=project, role=role, results=results)


def result_json(project_id: int, result: FileResult) -> dict[str, object]:
    data = result.to_json()
    if result.job_id is not None:
        data["job_url"] = url_for("jobs.show", project_id=project_id, job_id=result.job_id)
    if result.speakers and result.source_ids:
        data["speakers_url"] = url_for("ingest.speakers", project_id=project_id, source_id=result.source_ids[0])
    return data


@bp.get("/projects/<int:project_id>/import/speakers")
@login_required
def waiting_speakers(project_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    waiting = unmapped_sources(db_session(), project.id)
    if waiting:
        return redirect(url_for("ingest.speakers", project_id=project.id, source_id=waiting[0].id))
    return redirect(url_for("ingest.upload_page", project_id=project.id))


@bp.route("/projects/<int:project_id>/import/sources/<int:source_id>/speakers", methods=["GET", "POST"])
@login_required
def speakers(project_id: int, source_id: int) -> str | Response:
    project, role = load_project(project_id, needs=Role.CODER)
    db = db_session()
    source = get_source(db, project_id=project.id, source_id=source_id)
    if request.method == "POST":
        rows = speaker_rows(db, source)
        choices = {row.label: SpeakerChoice.parse(request.form.get(f"choice-{i}", "none"),
                                                  request.form.get(f"name-{i}", row.label))
                   for i, row in enumerate(rows)}
        with transaction(db):
            map_speakers(db, project_id=project.id, source_id=source.id, choices=choices)
            record(db, "source.speakers", user_id=user_id(), project_id=project.id, object_type="source",
                   object_id=source.id, after={"mapped": len(choices)})
        waiting = [s for s in unmapped_sources(db, project.id) if s.id != source.id]
        if waiting:
            return redirect(url_for("ingest.speakers", project_id=project.id, source_id=waiting[0].id))
        return redirect(url_for("ingest.upload_page", project_id=project.id, mapped=source.id))
    return render_template("ingest/speakers.html", project=project, role=role, source=source,
                           rows=speaker_rows(db, source), participants=participants_of(db, project.id),
                           waiting=len(unmapped_sources(db, project.id)))
