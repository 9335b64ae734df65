"""The `kundstig` command as administrators and scripts use it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from click.testing import CliRunner

from app.cli import main
from app.database import get_database


def test_an_administrator_creates_a_user_a_project_and_a_token(kundstig):
    assert kundstig("user", "create", "anna@example.org", "--password-stdin", stdin="long enough secret\n")[0] == 0
    code, out = kundstig("project", "create", "Bolåneresan", "--owner", "anna@example.org", "--company",
                         "Fjällbanken", "--phase-model", "five")
    assert code == 0 and out.strip().isdigit()
    code, listing = kundstig("project", "list", "--json")
    assert code == 0
    assert json.loads(listing.splitlines()[0]) == {"id": int(out), "name": "Bolåneresan",
                                                   "company_name": "Fjällbanken"}
    code, token = kundstig("token", "create", "anna@example.org")
    assert code == 0 and token.strip().startswith("ks_")


def test_commands_fail_with_a_one_line_reason(kundstig):
    code, out = kundstig("project", "create", "X", "--owner", "nobody@example.org")
    assert code == 1 and out.strip() == "Error: No account for nobody@example.org."
    code, out = kundstig("user", "create", "short@example.org", "--password-stdin", stdin="short\n")
    assert code == 1 and "at least 10 characters" in out and len(out.strip().splitlines()) == 1


def test_every_command_has_help(kundstig):
    for command in (["serve"], ["worker"], ["db", "upgrade"], ["user", "create"], ["token", "create"],
                    ["project", "create"], ["project", "list"], ["demo"], ["health"], ["backup"], ["restore"],
                    ["import"], ["export"], ["import-project"], ["network"], ["journey"], ["suggest"],
                    ["eval", "survey"]):
        code, out = kundstig(*command, "--help")
        assert code == 0 and "Usage:" in out, command


def test_the_demo_command_is_idempotent_and_prints_the_login(kundstig):
    first = kundstig("demo")
    second = kundstig("demo")
    assert first[0] == second[0] == 0
    assert first[1] == second[1]
    assert "Demo login:   demo@kundstig.example  /  demo-" in first[1]


def test_a_wrong_database_url_is_a_one_line_error(monkeypatch, tmp_path):
    monkeypatch.setenv("KUNDSTIG_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("KUNDSTIG_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["project", "list"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach the database")


def test_production_mode_without_a_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("KUNDSTIG_PRODUCTION", "true")
    monkeypatch.delenv("KUNDSTIG_SECRET_KEY", raising=False)
    monkeypatch.setenv("KUNDSTIG_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["project", "list"])
    assert result.exit_code == 1 and "KUNDSTIG_SECRET_KEY is not set" in result.output


def test_serve_answers_on_the_given_port(app, tmp_path):
    url = get_database(app).engine.url.render_as_string(hide_password=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "KUNDSTIG_DATABASE_URL": url, "KUNDSTIG_SECRET_KEY": "test-secret",
           "KUNDSTIG_INSTANCE_PATH": str(tmp_path)}
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--no-worker"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "Log in to Kundstig" in body
    finally:
        server.terminate()
        server.communicate(timeout=20)
