"""Session cookies and the session's life: flags, rotation, revocation on a password
change and when an account is disabled. (Logout, "log out everywhere else", login
rotation and the idle and absolute timeouts are specified in tests/web/test_auth.py.)"""

from __future__ import annotations

from http.cookies import SimpleCookie

from sqlalchemy import select

from coding.events import Event
from research.accounts import AuthSession, User, authenticate, hash_secret
from research.db import transaction
from tests.conftest import PASSWORD, Auth, csrf_token, make_user

NEW_PASSWORD = "a much longer new passphrase"


def _session_cookie(response) -> SimpleCookie:
    header = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("kundstig_session="))
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(header)
    return cookie


def test_over_https_the_session_cookie_is_secure_http_only_and_same_site(client, session):
    """ASVS 5.0 V3.3.1, V3.3.2, V3.3.4: Secure, SameSite and HttpOnly on the session cookie."""
    make_user(session)
    page = client.get("/login", base_url="https://kundstig.example.org")
    response = client.post("/login", base_url="https://kundstig.example.org",
                           headers={"Referer": "https://kundstig.example.org/login"},
                           data={"email": "owner@example.org", "password": PASSWORD,
                                 "csrf_token": csrf_token(page.get_data(as_text=True))})
    morsel = _session_cookie(response)["kundstig_session"]
    assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Lax"


def test_in_production_the_cookie_is_secure_even_behind_a_plain_http_hop(app, client, session):
    """ASVS 5.0 V3.3.1: KUNDSTIG_PRODUCTION (SESSION_COOKIE_SECURE) marks every cookie Secure."""
    app.config["SESSION_COOKIE_SECURE"] = True
    morsel = _session_cookie(client.get("/login"))["kundstig_session"]
    assert morsel["secure"] and morsel["httponly"]


def test_the_session_secret_has_at_least_128_bits_and_is_stored_only_hashed(client, session):
    """ASVS 5.0 V7.2.3: session reference tokens from a CSPRNG with >= 128 bits."""
    secret = _session_cookie(client.get("/login"))["kundstig_session"].value
    assert len(secret) >= 43  # 32 random bytes, URL-safe base64
    session.rollback()
    stored = list(session.scalars(select(AuthSession.token_hash)))
    assert hash_secret(secret) in stored and secret not in stored


def test_changing_the_password_ends_every_other_session_and_rotates_this_one(app, client, session):
    """ASVS 5.0 V6.2.2, V7.4.3, V7.2.4: after a password change the other browsers are logged
    out and this browser continues under a new session secret."""
    make_user(session)
    auth = Auth(client)
    auth.login()
    laptop = app.test_client()
    Auth(laptop).login()
    old_secret = client.get_cookie("kundstig_session").value
    token = csrf_token(client.get("/account").get_data(as_text=True))
    response = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                      "confirm": NEW_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert client.get_cookie("kundstig_session").value != old_secret
    assert laptop.get("/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("kundstig_session", old_secret)
    assert replay.get("/").status_code == 302
    session.rollback()
    assert authenticate(session, email="owner@example.org", password=NEW_PASSWORD) is not None
    assert authenticate(session, email="owner@example.org", password=PASSWORD) is None
    assert session.scalar(select(Event.action).where(Event.action == "password.change")) == "password.change"


def test_a_wrong_current_password_changes_nothing(app, client, session):
    """ASVS 5.0 V6.2.3: a password change needs the current password; with a wrong one
    nothing is saved and no session ends."""
    make_user(session)
    Auth(client).login()
    laptop = app.test_client()
    Auth(laptop).login()
    token = csrf_token(client.get("/account").get_data(as_text=True))
    response = client.post("/account/password", data={"current": "not the password", "password": NEW_PASSWORD,
                                                      "confirm": NEW_PASSWORD, "csrf_token": token})
    assert response.status_code == 400 and "current password is not right" in response.get_data(as_text=True)
    assert laptop.get("/").status_code == 200
    session.rollback()
    assert authenticate(session, email="owner@example.org", password=PASSWORD) is not None


def test_a_too_short_new_password_is_refused(client, session):
    """ASVS 5.0 V6.2.1: at least 8 characters (Kundstig asks for 10)."""
    make_user(session)
    Auth(client).login()
    token = csrf_token(client.get("/account").get_data(as_text=True))
    response = client.post("/account/password", data={"current": PASSWORD, "password": "short",
                                                      "confirm": "short", "csrf_token": token})
    assert response.status_code == 400
    session.rollback()
    assert authenticate(session, email="owner@example.org", password=PASSWORD) is not None


def test_a_disabled_account_loses_its_live_sessions(client, session):
    """ASVS 5.0 V7.4.2: disabling an account ends its sessions at the next request."""
    make_user(session)
    Auth(client).login()
    assert client.get("/").status_code == 200
    with transaction(session):
        session.scalars(select(User)).one().is_active = False
    assert client.get("/").status_code == 302
