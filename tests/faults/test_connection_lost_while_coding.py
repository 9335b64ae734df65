"""A browser that loses its connection while coding: the server saved the coding but the
answer never arrived, so the client sends the same POST again with the same client_key.
Exactly one coding results, also when the retry races the first attempt. The workbench's
own retry in the browser is tested in tests/e2e/test_lost_connection.py."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from coding.codings import Coding
from coding.events import Event
from research import accounts
from research.db import transaction
from tests.web.workbench_data import Team, make_team, span_of


@pytest.fixture
def served(app):
    """The app on a real socket, in a server that stops cleanly between tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def _request(path: str, body: dict, token: str) -> bytes:
    data = json.dumps(body).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data


def _post(port: int, path: str, body: dict, token: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", path, json.dumps(body), {"Authorization": f"Bearer {token}",
                                                         "Content-Type": "application/json"})
    response = connection.getresponse()
    status, payload = response.status, json.loads(response.read())
    connection.close()
    return status, payload


def _codings(session, project_id: int, client_key: str) -> tuple[int, int]:
    session.rollback()
    ids = list(session.scalars(select(Coding.id).where(Coding.project_id == project_id,
                                                       Coding.client_key == client_key)))
    events = session.scalar(select(func.count()).select_from(Event).where(
        Event.project_id == project_id, Event.action == "coding.add", Event.object_id.in_(ids or [0])))
    return len(ids), events


def a_coder_about_to_code(session, phrase: str, client_key: str) -> tuple[Team, str, str, dict]:
    """A coder with an API token, and the POST that codes ``phrase`` as the bank."""
    team = make_team(session)
    with transaction(session):
        token = accounts.create_token(session, user_id=team.coder.id, name="fault test")
    start, end = span_of(phrase)
    body = {"source_id": team.source.id, "code_id": team.bank.id, "start": start, "end": end,
            "client_key": client_key}
    return team, token, f"/api/v1/projects/{team.project.id}/codings", body


def test_a_retry_after_a_lost_answer_returns_the_coding_the_server_already_saved(app, session, served):
    team, token, path, body = a_coder_about_to_code(session, "gick till banken", "lost-answer-0001")

    with socket.create_connection(("127.0.0.1", served)) as lost:
        lost.sendall(_request(path, body, token))
        deadline = time.monotonic() + 10
        while _codings(session, team.project.id, body["client_key"])[0] == 0:  # the server has saved it...
            assert time.monotonic() < deadline, "the first attempt never reached the database"
            time.sleep(0.05)
    # ...and the connection is gone before its answer was read.
    status, retried = _post(served, path, body, token)
    assert status == 200  # not 201: nothing new was made
    assert _codings(session, team.project.id, body["client_key"]) == (1, 1)
    assert retried["start"] == body["start"] and retried["code_id"] == team.bank.id


def test_retries_racing_each_other_make_exactly_one_coding(app, session, served):
    team, token, path, body = a_coder_about_to_code(session, "Mäklaren", "racing-retry-01")
    answers: list[tuple[int, dict]] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        barrier.wait()
        answers.append(_post(served, path, body, token))

    senders = [threading.Thread(target=send) for _ in range(4)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sorted(status for status, _ in answers) == [200, 200, 200, 201]
    assert len({payload["id"] for _, payload in answers}) == 1
    assert _codings(session, team.project.id, body["client_key"]) == (1, 1)
