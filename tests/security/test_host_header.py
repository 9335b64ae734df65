"""Host-header tricks: the app builds no absolute URL from the request's Host, and a
deployment can pin the host names it answers to (``KUNDSTIG_TRUSTED_HOSTS``)."""

from __future__ import annotations

import re
from pathlib import Path

from app import create_app
from app.database import get_database
from app.settings import Settings
from tests.conftest import PASSWORD, csrf_token, make_project, make_user, settings_for

EVIL = "evil.example"
README = Path(__file__).parents[2] / "README.md"


def _mentions_evil(response) -> bool:
    return EVIL in response.headers.get("Location", "") or EVIL in response.get_data(as_text=True)


def test_no_page_or_redirect_points_at_a_forged_host(client, session):
    """ASVS 5.0 V4.1.3: a Host (or X-Forwarded-Host) header sent by the client never
    reaches a link or a redirect."""
    owner = make_user(session)
    project = make_project(session, owner)
    headers = {"Host": EVIL, "X-Forwarded-Host": EVIL}
    anonymous = [client.get(path, headers=headers) for path in ("/", "/login", f"/projects/{project.id}", "/register")]
    token = csrf_token(anonymous[1].get_data(as_text=True))
    login = client.post("/login?next=/account", headers=headers,
                        data={"email": owner.email, "password": PASSWORD, "csrf_token": token})
    pages = [client.get(path, headers=headers) for path in ("/", "/account", f"/projects/{project.id}",
                                                          f"/projects/{project.id}/settings")]
    logout = client.post("/logout", headers=headers, data={"csrf_token": csrf_token(pages[0].get_data(as_text=True))})
    responses = [*anonymous, login, *pages, logout]
    assert login.status_code == 302 and pages[1].status_code == 200 and logout.status_code == 302
    assert [r.request.path for r in responses if _mentions_evil(r)] == []


def test_with_trusted_hosts_set_a_foreign_host_is_refused(app, tmp_path):
    """ASVS 5.0 V4.1.3: only the configured host names are served (Flask's TRUSTED_HOSTS)."""
    url = get_database(app).engine.url.render_as_string(hide_password=False)
    pinned = create_app({"SETTINGS": settings_for(url, tmp_path / "pinned", trusted_hosts=("kundstig.example.org",)),
                         "TESTING": True})
    try:
        client = pinned.test_client()
        assert client.get("/login", headers={"Host": EVIL}).status_code == 400
        assert client.get("/login", headers={"Host": "kundstig.example.org"}).status_code == 200
    finally:
        get_database(pinned).engine.dispose()


def test_trusted_hosts_come_from_the_environment():
    settings = Settings.from_env({"KUNDSTIG_SECRET_KEY": "x", "KUNDSTIG_INSTANCE_PATH": "/nonexistent",
                                  "KUNDSTIG_TRUSTED_HOSTS": "kundstig.example.org, .lab.example.org"})
    assert settings.trusted_hosts == ("kundstig.example.org", ".lab.example.org")
    assert Settings.from_env({"KUNDSTIG_SECRET_KEY": "x", "KUNDSTIG_INSTANCE_PATH": "/nonexistent"}).trusted_hosts == ()


def test_the_team_setup_in_the_readme_sets_trusted_hosts():
    """ASVS 5.0 V13.1 (configuration documentation): the administrator's guide pins the host."""
    team = re.search(r"## Running for a team\n(.*?)\n## ", README.read_text(encoding="utf-8"), re.S)
    assert team is not None and "KUNDSTIG_TRUSTED_HOSTS=" in team.group(1)
