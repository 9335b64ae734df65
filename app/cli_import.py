"""``kundstig import PROJECT_ID FILE…``: the upload page on the command line.

Every file is imported in its own transaction (no background job: the command waits);
``--json`` prints one object per file. The exit status is 1 when any file was rejected.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from app.cli_support import cli_app, one_line_errors, writer_sessions
from research.ingest import ImportOptions, SurveyColumns, import_file, observation_details
from research.sources import SourceKind

KINDS = [kind.value for kind in SourceKind]


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@click.command("import", help="Import FILEs into project PROJECT_ID (one result per file).")
@click.argument("project_id", type=int)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), default="interview", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
@click.option("--id-column", help="Survey: the column identifying the respondent.")
@click.option("--text-columns", help="Survey: open-question columns, separated by commas.")
@click.option("--attribute-columns", help="Survey: columns kept as respondent attributes, separated by commas.")
@click.option("--question-column", help="Survey (long exports): the column holding the question's wording.")
@click.option("--date", help="Observation: date (YYYY-MM-DD).")
@click.option("--place", help="Observation: place.")
@click.option("--observer", help="Observation: who observed.")
@click.option("--context", help="Observation: context.")
@click.option("--user", "user_email", help="E-mail of the account the sources are recorded as created by.")
@one_line_errors
def import_command(project_id: int, files: tuple[Path, ...], kind: str, as_json: bool, id_column: str | None,
                   text_columns: str | None, attribute_columns: str | None, question_column: str | None,
                   date: str | None, place: str | None, observer: str | None, context: str | None,
                   user_email: str | None) -> None:
    from research.accounts import get_user_by_email
    from research.projects import Project

    source_kind = SourceKind(kind)
    survey = None
    if source_kind is SourceKind.SURVEY:
        if not id_column or not _split(text_columns):
            raise click.UsageError("--kind survey needs --id-column and --text-columns.")
        survey = SurveyColumns(id_column=id_column, text_columns=_split(text_columns),
                               attribute_columns=_split(attribute_columns), question_column=question_column)
    details = observation_details({"date": date or "", "place": place or "", "observer": observer or "",
                                   "context": context or ""}) if source_kind is SourceKind.OBSERVATION else {}
    options = ImportOptions(kind=source_kind, details=details, survey=survey)
    rejected = 0
    with cli_app() as app, writer_sessions(app)() as session:
        if session.get(Project, project_id) is None:
            raise click.ClickException(f"there is no project {project_id}; `kundstig project list` shows them")
        user_id = get_user_by_email(session, user_email).id if user_email else None
        session.rollback()
        for path in files:
            result = import_file(session, project_id=project_id, user_id=user_id, name=path.name,
                                 data=path.read_bytes(), options=options)
            rejected += result.status == "rejected"
            if as_json:
                click.echo(json.dumps({
                    "name": result.name, "status": result.status, "reason": result.reason,
                    "source_ids": result.source_ids, "speakers": result.speakers, "segments": result.segments,
                    "language": result.language, "warnings": result.warnings,
                }, ensure_ascii=False))
            else:
                facts = f"{result.segments} segments" + (f", speakers {', '.join(result.speakers)}"
                                                         if result.speakers else "")
                line = f"{result.status:9} {result.name}"
                click.echo(f"{line}  ({facts})" if result.status == "imported" else f"{line}  {result.reason}")
    if rejected:
        raise SystemExit(1)
