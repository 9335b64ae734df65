from tests.conftest import make_project, make_user


def test_a_logged_in_owner_sees_their_project_listed(client, auth, session):
    owner = make_user(session)
    make_project(session, owner, name="Vägen till nytt hem")
    assert auth.login().status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Vägen till nytt hem" in page
