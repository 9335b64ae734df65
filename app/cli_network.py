"""``kundstig network`` and ``kundstig journey``: the actor network and the journey map
of a project on standard output or in a file (an administrator's commands, like
``project list``: no membership check)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from app.cli_support import cli_app, one_line_errors, writer_sessions
from coding.evidence import EvidenceFilters, journey_for, network_for
from exports.network_files import FORMATS, export_network
from research.errors import NotFound
from research.projects import Project


def _filters(phase: int | None, persona: str | None, participant: int | None, source_kind: str | None,
             coder: int | None) -> EvidenceFilters:
    return EvidenceFilters(phase_id=phase, persona=persona or None, participant_id=participant,
                           source_kind=source_kind or None, coder_id=coder)


def _filter_options(command: click.Command) -> click.Command:
    for option in reversed([
        click.option("--phase", type=int, help="Only codings in this phase (the id of a phase of the project)."),
        click.option("--persona", help="Only codings of participants with this persona."),
        click.option("--participant", type=int, help="Only codings of this participant (id)."),
        click.option("--source-kind", type=click.Choice(["interview", "observation", "survey", "document"])),
        click.option("--coder", type=int, help="Only codings by this user (id)."),
    ]):
        command = option(command)
    return command


def _emit(data: bytes, output: Path | None) -> None:
    if output is None:
        click.echo(data.decode("utf-8"), nl=not data.endswith(b"\n"))
    else:
        output.write_bytes(data)
        click.echo(f"Wrote {output} ({len(data):,} bytes).", err=True)


@click.command("network", help="The actor network of PROJECT_ID as JSON, GraphML, GEXF or Kumu.")
@click.argument("project_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", *FORMATS]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
@click.option("--layers", default="", help="Comma list of node kinds (actor,goal,sub_goal,touchpoint,channel,"
                                           "phase,participant); all by default.")
@click.option("--window", type=click.Choice(["segment", "overlap"]), default="segment", show_default=True)
@click.option("--min-weight", type=click.IntRange(1, 1000), default=1, show_default=True)
@_filter_options
@one_line_errors
def network_command(project_id: int, fmt: str, output: Path | None, layers: str, window: str, min_weight: int,
                    phase: int | None, persona: str | None, participant: int | None, source_kind: str | None,
                    coder: int | None) -> None:
    chosen = [part.strip() for part in layers.split(",") if part.strip()] or None
    with cli_app() as app, writer_sessions(app)() as session:
        if session.get(Project, project_id) is None:
            raise NotFound(f"No project {project_id}.")
        report = network_for(session, project_id, _filters(phase, persona, participant, source_kind, coder),
                             chosen, "overlap" if window == "overlap" else "segment", min_weight)
    if fmt == "json":
        data = (json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    else:
        data = export_network(report.network, fmt)
    _emit(data, output)


@click.command("journey", help="The journey map of PROJECT_ID as JSON or CSV.")
@click.argument("project_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
@_filter_options
@one_line_errors
def journey_command(project_id: int, fmt: str, output: Path | None, phase: int | None, persona: str | None,
                    participant: int | None, source_kind: str | None, coder: int | None) -> None:
    with cli_app() as app, writer_sessions(app)() as session:
        if session.get(Project, project_id) is None:
            raise NotFound(f"No project {project_id}.")
        report = journey_for(session, project_id, _filters(phase, persona, participant, source_kind, coder))
    if fmt == "json":
        data = (json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in report.csv_rows():
            writer.writerow(["'" + v if v[:1] in ("=", "+", "-", "@") and not _number(v) else v for v in row])
        data = buffer.getvalue().encode("utf-8")
    _emit(data, output)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
