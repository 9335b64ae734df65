"""No interview text and no search terms in logs: a coding session, a search, an
import and a server error run through the app with every logger at DEBUG, and the
access logs of both servers (werkzeug's and gunicorn's format) for a search URL."""

from __future__ import annotations

import logging
import threading
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from tests.web.ingest_support import logged_in_project

TRANSCRIPT_WORD = "Hemligbolaget"  # only in the interview text
MEMO_WORD = "Memohemlighet"
SEARCH_WORD = "Sökhemlighet"


class Collect(logging.Handler):
    """Formats every record as a log file would show it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def every_log():
    """Every logger at DEBUG, SQLAlchemy's SQL echo included (as an administrator might
    switch it on to debug), and the access loggers (gunicorn's does not propagate)."""
    collect = Collect()
    collect.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root, sql = logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    levels = (root.level, sql.level)
    root.setLevel(logging.DEBUG)
    sql.setLevel(logging.DEBUG)
    root.addHandler(collect)
    access = logging.getLogger("gunicorn.access")
    access.addHandler(collect)
    yield collect
    root.removeHandler(collect)
    access.removeHandler(collect)
    root.setLevel(levels[0])
    sql.setLevel(levels[1])


def _secrets_in(lines: list[str]) -> list[str]:
    return [line[:200] for line in lines if any(w in line for w in (TRANSCRIPT_WORD, MEMO_WORD, SEARCH_WORD))]


def test_coding_searching_importing_and_an_error_leave_no_research_text_in_the_logs(
        app, client, auth, session, every_log, monkeypatch):
    """ASVS 5.0 V16.2.5, V14.2.4: sensitive data (interview text, memos, search terms)
    is never logged, not even by SQLAlchemy at DEBUG or in a 500's traceback."""
    setup = logged_in_project(client, auth, session)
    pid = setup.project.id
    interview = f"Intervjuare: Vem hjälpte er?\n\nKund: {TRANSCRIPT_WORD} ringde oss om lånet.\n".encode()
    imported = setup.upload(("intervju.txt", interview))
    assert imported.status_code == 200, imported.get_data(as_text=True)
    headers = {"X-CSRFToken": setup.token}
    source = client.get(f"/api/v1/projects/{pid}/sources").get_json()[0]
    code = client.post(f"/api/v1/projects/{pid}/codes", json={"name": "Bank", "kind": "actor"}, headers=headers)
    coding = client.post(f"/api/v1/projects/{pid}/codings", headers=headers,
                         json={"source_id": source["id"], "code_id": code.get_json()["id"], "start": 30, "end": 43,
                               "memo": MEMO_WORD})
    assert coding.status_code == 201, coding.get_json()
    assert client.patch(f"/api/v1/projects/{pid}/codings/{coding.get_json()['id']}", headers=headers,
                        json={"version": coding.get_json()["version"], "end": 42}).status_code == 200
    assert client.get(f"/projects/{pid}/sources/{source['id']}").status_code == 200
    assert client.get(f"/projects/{pid}/search", query_string={"q": SEARCH_WORD}).status_code == 200
    assert client.get(f"/projects/{pid}/search", query_string={"q": TRANSCRIPT_WORD}).status_code == 200

    def failing_insert(db, **values):
        """A constraint violation whose statement and row carry the memo."""
        db.execute(text("INSERT INTO memo (project_id, text) VALUES (NULL, :memo)"), {"memo": values["memo"]})

    monkeypatch.setattr("app.workbench.api.apply_code", failing_insert)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    failed = client.post(f"/api/v1/projects/{pid}/codings", headers=headers,
                         json={"source_id": source["id"], "code_id": code.get_json()["id"], "start": 0, "end": 5,
                               "memo": MEMO_WORD})
    assert failed.status_code == 500
    assert any("IntegrityError" in line for line in every_log.lines), "the error itself is logged"
    assert any("sqlalchemy.engine" in line for line in every_log.lines), "SQL was logged at DEBUG"
    assert _secrets_in(every_log.lines) == []


def test_the_development_servers_access_log_hides_query_strings(app, every_log):
    """ASVS 5.0 V16.2.5: a search URL's query string is not written verbatim
    to werkzeug's access log (the request line is kept, the query redacted)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/projects/1/search?q={urllib.request.quote(SEARCH_WORD)}"
        request = urllib.request.Request(url, headers={"Referer": url})
        with pytest.raises(urllib.error.HTTPError):  # the login wall's redirect is not followed here
            urllib.request.build_opener(NoRedirect).open(request, timeout=10)
    finally:
        server.shutdown()
        thread.join(5)
    access = [line for line in every_log.lines if line.startswith("werkzeug") and "/projects/1/search" in line]
    assert access and all("?[redacted]" in line for line in access)
    assert _secrets_in(every_log.lines) == []
    assert not any("S%C3%B6khemlighet" in line for line in access)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_gunicorns_access_log_hides_query_strings_and_referrers(app, every_log):
    """ASVS 5.0 V16.2.5: gunicorn's combined format ("%(r)s", "%(q)s", "%(f)s") with a
    search URL logs the path only."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s q=%(q)s "%(f)s" "%(a)s" %(U)s')
    logger = Logger(config)
    logger.access_log.addHandler(every_log)  # setup() replaced the handlers
    query = f"q={urllib.request.quote(SEARCH_WORD)}&kind=interview"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/projects/1/search?{query}", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": "/projects/1/search", "QUERY_STRING": query, "REMOTE_ADDR": "10.0.0.5",
               "HTTP_REFERER": f"https://kundstig.example.org/projects/1/search?q={SEARCH_WORD}",
               "HTTP_USER_AGENT": "Firefox"}
    response = SimpleNamespace(status="200 OK", headers=[], sent=1234)
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, timedelta(milliseconds=12))
    lines = [line for line in every_log.lines if line.startswith("gunicorn.access")]
    assert lines and '"GET /projects/1/search?[redacted] HTTP/1.1" 200' in lines[-1]
    assert _secrets_in(lines) == [] and "S%C3%B6khemlighet" not in lines[-1] and "kind=interview" not in lines[-1]
