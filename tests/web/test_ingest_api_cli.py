"""The same imports through the JSON API and the ``kundstig import`` command."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import main
from app.cli_import import import_command
from app.database import get_database
from research.accounts import create_token
from research.db import transaction
from research.participants import Participant, attributes_of
from research.sources import Source
from tests.conftest import make_project, make_user

main.add_command(import_command)

TRANSCRIPT = "I: Hur började det?\nAnna: Med en annons.\nI: Och sen?\nAnna: Ett samtal.\n".encode()
SURVEY = b"id,Svar,Typ\nr1,Bra service,B2C\nr2,Langsamt,B2B\nr3,,B2C\n"


@pytest.fixture
def project_and_token(session: Session) -> tuple[int, str]:
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        token = create_token(session, user_id=owner.id, name="test")
    return project.id, token


def post(client: FlaskClient, project_id: int, token: str, files: list[tuple[str, bytes]], **fields: str):  # type: ignore[no-untyped-def]
    data = {**fields, "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/api/v1/projects/{project_id}/sources", data=data, content_type="multipart/form-data",
                       headers={"Authorization": f"Bearer {token}"})


def test_the_api_imports_several_files_and_answers_one_result_per_file(
    client: FlaskClient, session: Session, project_and_token: tuple[int, str],
) -> None:
    project_id, token = project_and_token
    response = post(client, project_id, token, [("a.txt", TRANSCRIPT), ("b.txt", TRANSCRIPT), ("c.exe", b"MZ")])
    assert response.status_code == 200
    a, b, c = response.get_json()["results"]
    assert (a["status"], a["speakers"], a["segments"], a["language"]) == ("imported", ["I", "Anna"], 4, "sv")
    assert a["speakers_url"].endswith(f"/sources/{a['source_ids'][0]}/speakers")
    assert b["status"] == "duplicate" and c["status"] == "rejected" and c["reason"].startswith("c.exe: ")
    assert [s.original_name for s in session.scalars(select(Source))] == ["a.txt"]


def test_the_api_imports_a_survey_with_its_columns(
    client: FlaskClient, session: Session, project_and_token: tuple[int, str],
) -> None:
    project_id, token = project_and_token
    response = post(client, project_id, token, [("enkat.csv", SURVEY)], kind="survey", id_column="id",
                    text_columns="Svar", attribute_columns="Typ")
    [result] = response.get_json()["results"]
    assert result["status"] == "imported" and result["segments"] == 2
    r2 = session.scalar(select(Participant).where(Participant.name == "r2"))
    assert attributes_of(r2) == {"Typ": "B2B"}


def test_the_api_refuses_viewers_and_strangers(client: FlaskClient, session: Session,
                                               project_and_token: tuple[int, str]) -> None:
    project_id, _ = project_and_token
    stranger = make_user(session, email="x@example.org")
    with transaction(session):
        token = create_token(session, user_id=stranger.id, name="x")
    assert post(client, project_id, token, [("a.txt", TRANSCRIPT)]).status_code == 404
    assert client.post(f"/api/v1/projects/{project_id}/sources").status_code == 401


@pytest.fixture
def runner_env(app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`kundstig` commands run against the test database."""
    url = get_database(app).engine.url.render_as_string(hide_password=False)
    for name, value in {"DATABASE_URL": url, "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path),
                        "QUEUE_URL": "memory://"}.items():
        monkeypatch.setenv(f"KUNDSTIG_{name}", value)


def test_the_cli_prints_one_json_object_per_file_and_fails_when_one_is_rejected(
    runner_env: None, session: Session, project_and_token: tuple[int, str], tmp_path: Path,
) -> None:
    project_id, _ = project_and_token
    (tmp_path / "anna.txt").write_bytes(TRANSCRIPT)
    (tmp_path / "trasig.docx").write_bytes(b"PK\x03\x04 broken")
    result = CliRunner().invoke(main, ["import", str(project_id), str(tmp_path / "anna.txt"),
                                       str(tmp_path / "trasig.docx"), "--json"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 1
    assert lines[0]["name"] == "anna.txt" and lines[0]["status"] == "imported"
    assert lines[0]["speakers"] == ["I", "Anna"] and lines[0]["segments"] == 4 and lines[0]["reason"] == ""
    assert len(lines[0]["source_ids"]) == 1
    assert lines[1]["status"] == "rejected" and lines[1]["reason"].startswith("trasig.docx: ")
    assert set(lines[1]) == {"name", "status", "reason", "source_ids", "speakers", "segments", "language", "warnings"}


def test_the_cli_imports_a_survey_with_its_column_options(
    runner_env: None, session: Session, project_and_token: tuple[int, str], tmp_path: Path,
) -> None:
    project_id, _ = project_and_token
    (tmp_path / "enkat.csv").write_bytes(SURVEY)
    args = ["import", str(project_id), str(tmp_path / "enkat.csv"), "--kind", "survey", "--id-column", "id",
            "--text-columns", "Svar", "--attribute-columns", "Typ", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    [line] = [json.loads(x) for x in result.output.splitlines()]
    assert (line["status"], line["segments"]) == ("imported", 2)
    again = CliRunner().invoke(main, args)
    assert json.loads(again.output)["status"] == "duplicate" and again.exit_code == 0
    missing = CliRunner().invoke(main, ["import", str(project_id), str(tmp_path / "enkat.csv"), "--kind", "survey"])
    assert missing.exit_code == 2 and "--id-column" in missing.output


def test_the_cli_names_an_unknown_project(runner_env: None, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"Hej.")
    result = CliRunner().invoke(main, ["import", "999", str(tmp_path / "a.txt")])
    assert result.exit_code == 1 and "no project 999" in result.output
