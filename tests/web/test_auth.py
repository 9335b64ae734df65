"""Accounts: login, logout, sessions, CSRF, headers and throttling."""

from datetime import timedelta

from sqlalchemy import select, update

from research.accounts import AuthSession, User
from research.db import transaction, utcnow
from tests.conftest import PASSWORD, csrf_token, make_project, make_user


def test_the_login_form_asks_for_email_and_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page


def test_logging_in_with_the_right_password_leads_to_the_project_list(client, auth, session):
    make_user(session)
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Your projects" in client.get("/").get_data(as_text=True)


def test_a_wrong_password_is_refused_without_telling_which_part_was_wrong(client, auth, session):
    make_user(session)
    response = auth.login(password="not the password")
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_passwords_are_stored_as_argon2id_hashes(session):
    user = make_user(session)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_logging_in_replaces_the_session_secret_so_a_planted_cookie_is_useless(client, auth, session):
    make_user(session)
    client.get("/login")  # an anonymous session with a CSRF token
    before = client.get_cookie("kundstig_session").value
    auth.login()
    after = client.get_cookie("kundstig_session").value
    assert before != after
    client.set_cookie("kundstig_session", before)
    assert client.get("/").status_code == 302


def test_logging_out_ends_the_session_on_the_server(app, client, auth, session):
    make_user(session)
    auth.login()
    secret = client.get_cookie("kundstig_session").value
    assert auth.logout().status_code == 302
    other = app.test_client()
    other.set_cookie("kundstig_session", secret)
    assert other.get("/").status_code == 302


def test_logging_out_everywhere_else_revokes_the_other_browsers(app, client, auth, session):
    make_user(session)
    auth.login()
    laptop = app.test_client()
    type(auth)(laptop).login()
    assert laptop.get("/").status_code == 200
    token = csrf_token(client.get("/account").get_data(as_text=True))
    client.post("/account/sessions/revoke-others", data={"csrf_token": token})
    assert laptop.get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_an_idle_session_times_out(client, auth, session):
    make_user(session)
    auth.login()
    with transaction(session):
        session.execute(update(AuthSession).values(last_seen_at=utcnow() - timedelta(hours=3)))
    assert client.get("/").status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_even_when_active(client, auth, session):
    make_user(session)
    auth.login()
    with transaction(session):
        session.execute(update(AuthSession).values(created_at=utcnow() - timedelta(hours=13)))
    assert client.get("/").status_code == 302


def test_a_form_post_without_its_csrf_token_is_rejected(client, auth, session):
    make_user(session)
    auth.login()
    response = client.post("/projects/new", data={"name": "Sneaky", "language": "sv", "phase_model": "six"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_the_sixth_failed_login_within_the_window_is_throttled_even_with_the_right_password(auth, session):
    make_user(session)
    for _ in range(5):
        assert auth.login(password="wrong password!").status_code == 401
    response = auth.login()
    assert response.status_code == 429
    assert "Too many failed logins" in response.get_data(as_text=True)


def test_a_successful_login_clears_earlier_failures(auth, session):
    make_user(session)
    for _ in range(4):
        auth.login(password="wrong password!")
    assert auth.login().status_code == 302
    auth.logout()
    for _ in range(4):
        auth.login(password="wrong password!")
    assert auth.login().status_code == 302


def test_pages_carry_the_security_headers(client, auth, session):
    owner = make_user(session)
    project = make_project(session, owner)
    auth.login()
    response = client.get(f"/projects/{project.id}")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_over_https(client):
    response = client.get("/login", base_url="https://kundstig.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_each_page_gets_a_fresh_csp_nonce(client):
    first = client.get("/login").headers["Content-Security-Policy"]
    second = client.get("/login").headers["Content-Security-Policy"]
    assert first != second


def test_the_session_cookie_is_http_only_and_same_site(client, auth, session):
    make_user(session)
    response = auth.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_registration_creates_an_account_and_logs_in(client, session):
    token = csrf_token(client.get("/register").get_data(as_text=True))
    response = client.post("/register", data={"display_name": "Maja", "email": "maja@example.org",
                                              "password": PASSWORD, "confirm": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert session.scalar(select(User.display_name).where(User.email == "maja@example.org")) == "Maja"
    assert client.get("/").status_code == 200


def test_registration_can_be_closed_by_configuration(app, client):
    app.extensions["kundstig.settings"] = app.extensions["kundstig.settings"].with_overrides(registration_open=False)
    assert client.get("/register").status_code == 404
    assert "Create one" not in client.get("/login").get_data(as_text=True)


def test_after_login_the_next_parameter_never_leads_to_another_site(client, auth, session):
    make_user(session)
    token = auth.token()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/login?next={target}", data={"email": "owner@example.org", "password": PASSWORD,
                                                              "csrf_token": token})
        assert response.headers["Location"] == "/"
        auth.logout()
        token = auth.token()
