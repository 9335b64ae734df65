"""Open redirects: every redirect the app takes from a request (today the login's
``next``; logout takes none) stays on the site. There is no language switch or
other return-to parameter; a new one must reuse ``safe_next`` and join this list."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from app.auth.views import safe_next
from tests.conftest import PASSWORD, Auth, make_user

OFF_SITE = [
    "//evil.example/login",
    "https://evil.example/",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",  # browsers drop tabs and newlines inside URLs
    "/\n/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "https:/evil.example",
]


def _stays_on_site(location: str) -> bool:
    parts = urlsplit(location)
    return parts.netloc in ("", "localhost") and parts.path.startswith("/") and not parts.path.startswith("//") \
        and "\\" not in location and not any(ord(ch) < 0x21 for ch in location)


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_site(client, session, target):
    """ASVS 5.0 V3.7.2: redirects only to the application's own pages."""
    make_user(session)
    auth = Auth(client)
    response = client.post("/login", query_string={"next": target},
                           data={"email": "owner@example.org", "password": PASSWORD, "csrf_token": auth.token()})
    assert response.status_code == 302
    assert _stays_on_site(response.headers["Location"]), response.headers["Location"]
    assert urlsplit(response.headers["Location"]).path == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_next_check_refuses_every_off_site_form(app, target):
    """ASVS 5.0 V3.7.2: the one function every redirect from a parameter goes through."""
    with app.test_request_context():
        assert safe_next(target) == "/"


def test_a_same_site_path_with_its_query_is_kept(client, session):
    """ASVS 5.0 V3.7.2: the allow-list is "a path on this site"."""
    make_user(session)
    auth = Auth(client)
    response = client.post("/login", query_string={"next": "/projects/7/search?q=bank"},
                           data={"email": "owner@example.org", "password": PASSWORD, "csrf_token": auth.token()})
    assert response.headers["Location"] == "/projects/7/search?q=bank"


def test_logout_ignores_a_next_parameter(client, session):
    """ASVS 5.0 V3.7.2: logout always lands on the login page."""
    make_user(session)
    auth = Auth(client)
    auth.login()
    response = client.post("/logout", query_string={"next": "https://evil.example/"},
                           data={"csrf_token": auth.token("/")})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def test_the_login_wall_keeps_the_requested_page_as_a_relative_next(client):
    """ASVS 5.0 V3.7.2: the ``next`` the app writes itself is a path."""
    response = client.get("/projects/1/search?q=x")
    location = response.headers["Location"]
    assert response.status_code == 302 and location.startswith("/login?next=")
    assert "%2Fprojects%2F1%2Fsearch" in location or "/projects/1/search" in location
