"""The ``kundstig`` command: serve, worker, db, user, token, project, demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click

from app.cli_deletion import project_delete_command, source_group
from app.cli_exchange import export_command, import_project_command
from app.cli_import import import_command
from app.cli_network import journey_command, network_command
from app.cli_nlp import eval_group, suggest_command
from app.cli_support import cli_app, one_line_errors, writer_sessions


@click.group(help="Kundstig: qualitative research on customer journeys. Settings come from KUNDSTIG_* variables.")
def main() -> None:
    pass


@main.command(help="Serve the web app (and a job worker) on HOST:PORT.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not start a job worker beside the server.")
@one_line_errors
def serve(host: str, port: int, no_worker: bool) -> None:
    from waitress import serve as waitress_serve

    from app.startup import freeze_startup_objects

    with cli_app() as app:
        worker = None if no_worker else subprocess.Popen([sys.executable, "-m", "app.cli", "worker"])
        click.echo(f"Kundstig is running on http://{host}:{port}/  (Ctrl+C stops it)")
        freeze_startup_objects()
        try:
            waitress_serve(app, host=host, port=port, threads=8, ident="kundstig", max_request_body_size=
                           app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)


@main.command(help="Run a job worker (use several, on several machines, with a redis:// queue).")
@click.option("--threads", type=int, default=None, help="Worker threads (default KUNDSTIG_WORKER_THREADS).")
@one_line_errors
def worker(threads: int | None) -> None:
    from app import get_settings
    from app.health import ALIVE_SECONDS, is_alive, start_heartbeat, worker_name
    from app.queue import get_queue

    with cli_app() as app:
        queue = get_queue(app)
        count = threads or get_settings(app).worker_threads
        start_heartbeat(queue.huey, worker_name())
        queue.recover(worker_name(), lambda name: is_alive(queue.huey, name))
        queue.watch(lambda name: is_alive(queue.huey, name), every=ALIVE_SECONDS)
        consumer = queue.huey.create_consumer(workers=count, worker_type="thread", periodic=False,
                                              check_worker_health=True)
        consumer.run()


@main.group(help="Database schema.")
def db() -> None:
    pass


@db.command(help="Create or bring the schema up to date.")
@one_line_errors
def upgrade() -> None:
    from app.database import get_database
    from app.schema import head_revision
    from app.schema import upgrade as run_upgrade

    with cli_app(check_schema=False) as app:
        run_upgrade(get_database(app).engine)
        click.echo(f"Database schema is at {head_revision()}.")


@main.group(help="User accounts.")
def user() -> None:
    pass


@user.command("create", help="Create an account; the password is asked for, or read from stdin.")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--name", default="", help="Display name.")
@one_line_errors
def user_create(email: str, password_stdin: bool, name: str) -> None:
    from research.accounts import create_user
    from research.db import transaction

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with cli_app() as app:
        with writer_sessions(app)() as session, transaction(session):
            created = create_user(session, email=email, password=password, display_name=name)
        click.echo(f"Created {created.email} (id {created.id}).")


@main.group(help="API tokens.")
def token() -> None:
    pass


@token.command("create", help="Print a new API token for EMAIL (shown once).")
@click.argument("email")
@click.option("--name", default="command line", help="What the token is for.")
@one_line_errors
def token_create(email: str, name: str) -> None:
    from research.accounts import create_token, get_user_by_email
    from research.db import transaction

    with cli_app() as app:
        with writer_sessions(app)() as session, transaction(session):
            secret = create_token(session, user_id=get_user_by_email(session, email).id, name=name)
        click.echo(secret)


@main.group(help="Projects.")
def project() -> None:
    pass


@project.command("create", help="Create a project owned by --owner; prints its id.")
@click.argument("name")
@click.option("--owner", required=True, help="E-mail of the owner.")
@click.option("--company", default="", help="The studied company's name.")
@click.option("--phase-model", type=click.Choice(["five", "six", "b2b", "before-during-after"]), default="six",
              show_default=True)
@click.option("--language", default="sv", show_default=True)
@one_line_errors
def project_create(name: str, owner: str, company: str, phase_model: str, language: str) -> None:
    from coding.events import record
    from research.accounts import get_user_by_email
    from research.db import transaction
    from research.projects import create_project

    with cli_app() as app:
        with writer_sessions(app)() as session, transaction(session):
            owner_user = get_user_by_email(session, owner)
            created = create_project(session, owner_id=owner_user.id, name=name, company_name=company,
                                     phase_model=phase_model, language=language)
            record(session, "project.create", user_id=owner_user.id, project_id=created.id, object_type="project",
                   object_id=created.id, after={"name": created.name})
        click.echo(created.id)


@project.command("list", help="List projects (all of them: this is an administrator's command).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@one_line_errors
def project_list(as_json: bool) -> None:
    from research.projects import all_projects

    with cli_app() as app:
        with writer_sessions(app)() as session:
            for item in all_projects(session):
                if as_json:
                    click.echo(json.dumps({"id": item.id, "name": item.name, "company_name": item.company_name},
                                          ensure_ascii=False))
                else:
                    click.echo(f"{item.id}\t{item.name}")


@main.command(help="Create the demo project (once) and print its login.")
@one_line_errors
def demo() -> None:
    from app import get_settings
    from coding.demo.loader import ensure_demo

    with cli_app() as app:
        with writer_sessions(app)() as session:
            login = ensure_demo(session, get_settings(app).instance_path)
        click.echo(f"Demo project: '{login.project_name}' (id {login.project_id})")
        click.echo(f"Demo login:   {login.email}  /  {login.password}")


@main.command(help="Check the database, the queue and the workers; exit 1 unless all are fine.")
@one_line_errors
def health() -> None:
    from app.health import check

    with cli_app() as app:
        report = check(app)
    click.echo(json.dumps(report))
    if report["status"] != "ok":
        sys.exit(1)


@main.command(help="Write a backup archive of one project to FILE (everything but pseudonymisation keys).")
@click.argument("project_id", type=int)
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True))
@one_line_errors
def backup(project_id: int, output: str) -> None:
    from exports.backup import write_backup
    from research.errors import NotFound
    from research.projects import Project

    with cli_app() as app, writer_sessions(app)() as session:
        if session.get(Project, project_id) is None:
            raise NotFound(f"There is no project {project_id}.")
        partial = f"{output}.partial"
        with open(partial, "wb") as out:
            counts = write_backup(session, project_id, out)
        os.replace(partial, output)
    click.echo(f"Wrote {output}: {counts.get('source', 0)} sources, {counts.get('coding', 0)} codings.")


@main.command(help="Restore a backup archive as a new project owned by --owner; prints its id.")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--owner", required=True, help="E-mail of the account that will own the restored project.")
@one_line_errors
def restore(archive: str, owner: str) -> None:
    from exports.restore import restore_backup
    from research.accounts import get_user_by_email
    from research.db import transaction

    with open(archive, "rb") as handle:
        data = handle.read()
    with cli_app() as app, writer_sessions(app)() as session, transaction(session):
        result = restore_backup(session, data, owner_id=get_user_by_email(session, owner).id)
    click.echo(result.project_id)


# The commands of each area live beside it (app/cli_*.py).
for area_command in (import_command, export_command, import_project_command, network_command, journey_command,
                     suggest_command, eval_group, source_group):
    main.add_command(area_command)
project.add_command(project_delete_command)

if __name__ == "__main__":
    main()


