"""``kundstig export`` and ``kundstig import-project``: REFI-QDA, spreadsheets, the report, the
network files and project backups from the command line."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import IO, Any

import click

from app.cli_support import cli_app, one_line_errors, writer_sessions

# Named here rather than read from exports.formats, which would load every writer at each
# start of the command; a test keeps the two in step.
EXPORT_FORMATS = ("qdpx", "qdc", "csv", "xlsx", "graphml", "gexf", "docx", "html", "md", "backup")
CSV_TABLES = ("long", "wide", "wide-participants", "matrix", "codebook")


@click.command("export", help="Write project PROJECT_ID to FILE as REFI-QDA (qdpx, qdc), a spreadsheet (csv, xlsx), "
                              "the report with every section (docx, html, md), the actor network (graphml, gexf) "
                              "or a backup archive (backup).")
@click.argument("project_id", type=int)
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--table", type=click.Choice(CSV_TABLES),
              default="long", show_default=True, help="For csv: which table (xlsx holds them all as sheets).")
@one_line_errors
def export_command(project_id: int, fmt: str, output: Path, table: str) -> None:
    from exports.formats import FORMATS, export_table

    partial = output.with_name(output.name + ".partial")
    try:
        with cli_app() as app, writer_sessions(app)() as session, partial.open("wb") as handle:
            if fmt in FORMATS:  # the formats of the Export page, written by the same code
                chosen = FORMATS[fmt]
                counts = chosen.write(session, project_id, handle, export_table(chosen, table), _no_progress)
            else:
                counts = _export_more(session, project_id, fmt, handle)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Wrote {output} ({', '.join(f'{v} {k}' for k, v in counts.items())}).")


def _no_progress(done: int, total: int, message: str) -> None:
    pass


def _export_more(session: Any, project_id: int, fmt: str, handle: IO[bytes]) -> dict[str, int]:
    """The report (all sections, whole project) and the backup."""
    if fmt in ("docx", "html", "md"):
        from exports.report import build_report, write_report

        report = build_report(session, project_id)
        write_report(report, fmt, handle)
        return {"sections": len(report.sections), "quotes": len(report.quotes()), "pictures": len(report.figures())}
    from exports.backup import write_backup
    from research.errors import NotFound
    from research.projects import Project

    if session.get(Project, project_id) is None:
        raise NotFound(f"There is no project {project_id}.")
    counts = write_backup(session, project_id, handle)
    return {"sources": counts.get("source", 0), "codings": counts.get("coding", 0), "memos": counts.get("memo", 0)}


def is_backup(data: bytes) -> bool:
    """Whether ``data`` is a zip whose manifest says it is a Kundstig backup."""
    from exports.backup import FORMAT

    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "manifest.json" not in archive.namelist() or archive.getinfo("manifest.json").file_size > 1_000_000:
                return False
            return bool(json.loads(archive.read("manifest.json")).get("format") == FORMAT)
    except (zipfile.BadZipFile, ValueError, KeyError, AttributeError):
        return False


@click.command("import-project", help="Import a REFI-QDA project (.qdpx, .qde) or codebook (.qdc), or restore a "
                                      "Kundstig backup archive, owned by --owner.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--owner", required=True, help="E-mail of the account that will own (or merges into) the project.")
@click.option("--into", "into", type=int, default=None, help="Merge into this existing project instead.")
@click.option("--json", "as_json", is_flag=True, help="Print counts and the data-loss report as JSON.")
@one_line_errors
def import_project_command(file: Path, owner: str, into: int | None, as_json: bool) -> None:
    from exports.refi.importer import import_file
    from research.accounts import get_user_by_email
    from research.db import transaction

    data = file.read_bytes()
    if is_backup(data):
        _restore(data, owner, into, as_json)
        return
    with cli_app() as app, writer_sessions(app)() as session, transaction(session):
        user = get_user_by_email(session, owner)
        result = import_file(session, file.name, data, owner_id=user.id, into_project_id=into)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return
    verb = "Created project" if result.created else "Merged into project"
    click.echo(f"{verb} {result.project_id}: " + ", ".join(f"{v} {k}" for k, v in result.counts.items()) + ".")
    for line in result.report.lines():
        click.echo(line)


def _restore(data: bytes, owner: str, into: int | None, as_json: bool) -> None:
    from exports.restore import restore_backup
    from research.accounts import get_user_by_email
    from research.db import transaction

    if into is not None:
        raise click.ClickException("A backup is restored as a new project; --into applies to REFI-QDA files only.")
    with cli_app() as app, writer_sessions(app)() as session, transaction(session):
        result = restore_backup(session, data, owner_id=get_user_by_email(session, owner).id)
    if as_json:
        click.echo(json.dumps({"project_id": result.project_id, "created": True, "format": "kundstig-backup",
                               "counts": result.counts, "created_users": result.created_users},
                              ensure_ascii=False, indent=1))
        return
    click.echo(f"Restored project {result.project_id}: "
               + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result.counts.items() if v) + ".")
