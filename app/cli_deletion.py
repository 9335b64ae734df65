"""`kundstig source erase` and `kundstig project delete`: the administrator's way to remove
material for good, with the same domain functions and audit events as the owners' pages.
Both refuse to run without --yes."""

from __future__ import annotations

import click

from app.cli_support import cli_app, one_line_errors, writer_sessions
from app.templating import counted

YES = click.option("--yes", is_flag=True, help="Confirm: this cannot be undone.")


@click.group("source", help="Sources of a project.")
def source_group() -> None:
    pass


@source_group.command("erase", help="Erase SOURCE_ID of PROJECT_ID with everything made from it (needs --yes).")
@click.argument("project_id", type=int)
@click.argument("source_id", type=int)
@YES
@one_line_errors
def source_erase(project_id: int, source_id: int, yes: bool) -> None:
    from coding.erasure import erase_source
    from research.db import transaction

    if not yes:
        raise click.ClickException(f"erasing source {source_id} of project {project_id} cannot be undone; "
                                   "add --yes to do it")
    with cli_app() as app, writer_sessions(app)() as session:
        with transaction(session):
            report = erase_source(session, project_id=project_id, source_id=source_id, user_id=None)
    removed = report.removed
    assert removed is not None  # erase_source always says what it removed
    click.echo(f"Erased source {source_id} of project {project_id}: "
               f"its text ({counted(removed.characters, 'character')}), {counted(removed.codings, 'coding')}, "
               f"{counted(removed.memos, 'memo')}, {counted(removed.suggestions, 'suggestion')}; "
               f"{counted(report.exports_dropped, 'cached export file')} dropped.")


@click.command("delete", help="Delete PROJECT_ID with everything in it, for all its members (needs --yes).")
@click.argument("project_id", type=int)
@YES
@one_line_errors
def project_delete_command(project_id: int, yes: bool) -> None:
    from coding.project_deletion import delete_project
    from research.db import transaction

    if not yes:
        raise click.ClickException(f"deleting project {project_id} and everything in it cannot be undone; "
                                   "add --yes to do it")
    with cli_app() as app, writer_sessions(app)() as session:
        with transaction(session):
            contents = delete_project(session, project_id=project_id, user_id=None)
    nouns = {"job_files": "cached export file", "events": "history event"}
    click.echo(f"Deleted project {project_id}: " + ", ".join(
        counted(number, nouns.get(what, what.removesuffix("s"))) for what, number in contents.as_details().items())
        + ".")
