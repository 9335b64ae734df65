"""Cross-site scripting: a project whose names, descriptions, memos, participants,
attributes, transcript text, source titles and file names are all hostile, opened
page by page (every GET route of the access matrix, filled with the project's
objects) and through the query parameters a page shows back."""

from __future__ import annotations

from flask import Flask, url_for

from app.queue import get_queue
from tests.conftest import Auth
from tests.security.hostile import HOSTILE, html_leaks, shown_escaped, unmarked_bidi_controls
from tests.web.test_access_matrix import REQUIRED_ROLE

ACCOUNT_PAGES = ("/", "/account", "/projects/new")


def _project_urls(app: Flask, ids: dict[str, int]) -> list[str]:
    urls = []
    with app.test_request_context():
        for endpoint, method in sorted(REQUIRED_ROLE):
            if method != "GET":
                continue
            rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
            values = dict(ids)
            if endpoint == "ingest.participant_preview":
                values["upload_id"] = ids["participants_upload_id"]
            urls.append(url_for(endpoint, **{arg: values[arg] for arg in rule.arguments}))
    return urls


def _reflecting_urls(app: Flask, ids: dict[str, int]) -> list[str]:
    """Pages that show a query parameter back (a search box, a title, a filter)."""
    pid = ids["project_id"]
    with app.test_request_context():
        return [
            url_for("ingest.search", project_id=pid, q=HOSTILE),
            url_for("ingest.search", project_id=pid, q="Banken"),
            url_for("network.quotes", project_id=pid, ids=str(ids["coding_id"]), title=HOSTILE),
            url_for("workbench.history", project_id=pid, only=HOSTILE),
            url_for("workbench.memos", project_id=pid, on=HOSTILE),
            url_for("workbench.memos", project_id=pid, about=HOSTILE),
            url_for("workbench.retrieve_page", project_id=pid, code=ids["code_id"], value=HOSTILE),
            url_for("workbench.autocode", project_id=pid, query=HOSTILE),
            url_for("network.network", project_id=pid, phase=HOSTILE, min_weight=HOSTILE),
            url_for("auth.login", next=HOSTILE),
        ]


def test_every_page_shows_hostile_project_data_escaped(app, client, session, hostile):
    """ASVS 5.0 V1.2.1, V3.2.2: output encoding for the HTML context on every project
    page and account page (HTML and SVG; the JSON API answers as application/json),
    and hostile data never causes a server error."""
    ids = dict(hostile.project.ids)
    ids["job_id"] = get_queue(app).enqueue(session, "project.backup", project_id=ids["project_id"],
                                           user_id=None).id
    Auth(client).login(hostile.owner_email)
    urls = [*ACCOUNT_PAGES, *_project_urls(app, ids)]
    leaks: dict[str, list[str]] = {}
    reordering: dict[str, list[str]] = {}
    silent = []
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        kind = response.mimetype
        if url.startswith("/api/"):
            assert kind == "application/json", f"{url} is {kind}"
            continue
        if kind not in ("text/html", "image/svg+xml"):
            continue
        body = response.get_data(as_text=True)
        if found := html_leaks(body):
            leaks[url] = found
        if kind == "text/html" and (found := unmarked_bidi_controls(body)):
            reordering[url] = found
        if response.status_code == 200 and not shown_escaped(body):
            silent.append(url)
    assert leaks == {}
    assert reordering == {}, "hidden direction controls shown unmarked (issue 8)"
    assert not silent, f"pages that never showed the hostile project's data: {silent}"


def test_query_parameters_shown_on_a_page_are_escaped(app, client, hostile):
    """ASVS 5.0 V1.2.1, V1.2.2: reflected input (search terms, titles, filters,
    ``next``) is encoded for HTML and never becomes a link target."""
    Auth(client).login(hostile.owner_email)
    leaks = {}
    for url in _reflecting_urls(app, hostile.project.ids):
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if found := html_leaks(response.get_data(as_text=True)):
            leaks[url] = found
    assert leaks == {}


def test_pages_forbid_inline_script_so_a_missed_escape_still_cannot_run(client, hostile):
    """ASVS 5.0 V3.4.3: a Content-Security-Policy with nonces and no 'unsafe-inline'
    as the second line of defence."""
    Auth(client).login(hostile.owner_email)
    policy = client.get(f"/projects/{hostile.project.project_id}").headers["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'nonce-" in script and "unsafe-inline" not in script and "unsafe-eval" not in script
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy
