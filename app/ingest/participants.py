"""Participants: the list with attributes, import/update from CSV/XLSX with a preview,
editing one participant, and (owners) erasing one with everything derived."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from app.database import db_session
from app.ingest import bp
from app.ingest.common import user_id
from app.ingest.survey import PREVIEW_ROWS, stage_table
from app.projects.access import load_project
from app.security import login_required
from app.templating import counted
from coding.erasure import ErasureReport, erase_participant, mentions_by_source
from coding.events import record
from research.db import transaction
from research.errors import DomainError, InvalidInput
from research.participant_import import import_participants, update_participant
from research.participants import AttributeDef, attributes_of, get_participant, participants_of
from research.projects import Role
from research.sources import Segment, Source
from research.staging import discard_upload, get_upload
from research.tables import infer_type, read_table


def _attributes(project_id: int) -> list[AttributeDef]:
    return list(db_session().scalars(select(AttributeDef).where(AttributeDef.project_id == project_id)
                                     .order_by(AttributeDef.name)))


@bp.get("/projects/<int:project_id>/participants")
@login_required
def participants(project_id: int) -> str:
    project, role = load_project(project_id)
    db = db_session()
    people = participants_of(db, project.id)
    sources = dict(db.execute(select(Source.participant_id, func.count()).where(
        Source.project_id == project.id, Source.participant_id.is_not(None)).group_by(Source.participant_id)).all())
    segments = dict(db.execute(select(Segment.participant_id, func.count()).join(Source).where(
        Source.project_id == project.id, Segment.participant_id.is_not(None)).group_by(Segment.participant_id)).all())
    return render_template("ingest/participants.html", project=project, role=role, people=people,
                           attributes=_attributes(project.id), values={p.id: attributes_of(p) for p in people},
                           sources=sources, segments=segments)


@bp.post("/projects/<int:project_id>/participants/import")
@login_required
def participant_upload(project_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.CODER)
    upload_id = stage_table(project.id, "participants")
    if upload_id is None:
        return redirect(url_for("ingest.participants", project_id=project.id))
    return redirect(url_for("ingest.participant_preview", project_id=project.id, upload_id=upload_id))


@bp.route("/projects/<int:project_id>/participants/import/<int:upload_id>", methods=["GET", "POST"])
@login_required
def participant_preview(project_id: int, upload_id: int) -> str | Response:
    project, role = load_project(project_id, needs=Role.CODER)
    db = db_session()
    upload = get_upload(db, project_id=project.id, upload_id=upload_id, purpose="participants", user_id=user_id())
    table = read_table(upload.name, upload.data)
    if request.method == "POST":
        name_column = request.form.get("name_column", "")
        chosen = [c for i, c in enumerate(table.columns) if request.form.get(f"attribute-{i}") and c != name_column]
        try:
            with transaction(db):
                result = import_participants(db, project_id=project.id, table=table, name_column=name_column,
                                             attribute_columns=chosen, original_name=upload.name)
                discard_upload(db, upload)
                record(db, "participants.import", user_id=user_id(), project_id=project.id,
                       object_type="participant", after={"created": result.created, "updated": result.updated})
        except DomainError as error:
            flash(str(error), "error")
            return redirect(url_for("ingest.participant_preview", project_id=project.id, upload_id=upload_id))
        flash(f"{result.created} participant{'' if result.created == 1 else 's'} created, {result.updated} updated.",
              "success")
        return redirect(url_for("ingest.participants", project_id=project.id))
    existing = {p.name for p in participants_of(db, project.id)}
    types = {c: infer_type(row[i] for row in table.rows) for i, c in enumerate(table.columns)}
    return render_template("ingest/participant_preview.html", project=project, role=role, name=upload.name,
                           table=table, preview=table.rows[:PREVIEW_ROWS], types=types, existing=existing)


@bp.route("/projects/<int:project_id>/participants/<int:participant_id>", methods=["GET", "POST"])
@login_required
def participant_edit(project_id: int, participant_id: int) -> str | Response:
    project, role = load_project(project_id)
    db = db_session()
    person = get_participant(db, project_id=project.id, participant_id=participant_id)
    attributes = _attributes(project.id)
    if request.method == "POST":
        load_project(project_id, needs=Role.CODER)
        values = {a.id: request.form.get(f"attr-{a.id}", "") for a in attributes}
        try:
            with transaction(db):
                update_participant(db, person, name=request.form.get("name", ""),
                                   description=request.form.get("description", ""), values=values)
                record(db, "participant.update", user_id=user_id(), project_id=project.id,
                       object_type="participant", object_id=person.id)
        except InvalidInput as error:
            db.rollback()
            flash(str(error), "error")
        else:
            flash("Participant saved.", "success")
            return redirect(url_for("ingest.participants", project_id=project.id))
        person = get_participant(db, project_id=project.id, participant_id=participant_id)
    return render_template("ingest/participant_edit.html", project=project, role=role, person=person,
                           attributes=attributes, values={v.attribute_id: v.value for v in person.values})


@bp.post("/projects/<int:project_id>/participants/<int:participant_id>/erase")
@login_required
def participant_erase(project_id: int, participant_id: int) -> Response:
    project, _ = load_project(project_id, needs=Role.OWNER)
    db = db_session()
    if request.form.get("confirm") != "erase":
        flash("Tick the box to confirm the erasure.", "error")
        return redirect(url_for("ingest.participant_edit", project_id=project.id, participant_id=participant_id))
    with transaction(db):
        report = erase_participant(db, project_id=project.id, participant_id=participant_id, user_id=user_id())
        mentions = mentions_by_source(db, report.mentions)
    flash(_erased_message(report, mentions), "success")
    return redirect(url_for("ingest.participants", project_id=project.id))


def _erased_message(report: ErasureReport, mentions: list[tuple[int, str, int]]) -> str:
    message = (f"The participant was erased: {counted(report.sources_deleted, 'source')} deleted and "
               f"{counted(report.segments_cut, 'passage')} cut from shared sources.")
    if report.exports_dropped:
        message += (f" {counted(report.exports_dropped, 'cached export file')} of the project "
                    f"{'was' if report.exports_dropped == 1 else 'were'} dropped, as "
                    f"{'it' if report.exports_dropped == 1 else 'they'} may quote them.")
    if mentions:
        total = len(report.mentions)
        where = (f"“{mentions[0][1]}”" if len(mentions) == 1
                 else ", ".join(f"“{name}” ({times})" for _, name, times in mentions))
        message += (f" Other sources still name them {'once' if total == 1 else f'{total} times'}, in {where}: "
                    "pseudonymise those passages on the Pseudonymisation page.")
    return message
