"""The network and journey pages, their API and CLI, and who may see them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from app.cli import main
from app.database import get_database
from coding.codebook import create_code
from coding.codings import add_coding
from coding.kinds import CodeKind
from research.accounts import create_token
from research.db import transaction
from research.projects import Role
from research.segmenting import Span
from research.sources import SourceKind, add_source
from tests.conftest import make_member, make_project, make_user

TEXT = "Mäklaren ringde. Fjällbanken gav besked.\n\nVi köpte lägenheten till slut."


@pytest.fixture
def project(session):
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        first = TEXT.index("\n\n")
        source = add_source(session, project_id=project.id, kind=SourceKind.INTERVIEW, name="Intervju 1", text=TEXT,
                            spans=[Span("paragraph", 0, first), Span("paragraph", first + 2, len(TEXT))],
                            original=TEXT.encode())
        goal = create_code(session, project_id=project.id, name="Köpa en bostad", kind=CodeKind.GOAL)
        agent = create_code(session, project_id=project.id, name="Mäklare", kind=CodeKind.ACTOR)
        bank = create_code(session, project_id=project.id, name="Fjällbanken", kind=CodeKind.ACTOR)
        phase = create_code(session, project_id=project.id, name="Köper", kind=CodeKind.PHASE,
                            phase_id=project.phases[3].id)
        for code, quote in ((agent, "Mäklaren"), (bank, "Fjällbanken"), (goal, "Mäklaren ringde."),
                            (phase, TEXT[:first])):
            start = TEXT.index(quote)
            add_coding(session, project_id=project.id, source_id=source.id, code_id=code.id, start=start,
                       end=start + len(quote), user_id=owner.id)
    project.source_id = source.id  # type: ignore[attr-defined]
    return project


PAGES = ["/projects/{pid}/network", "/projects/{pid}/journey", "/projects/{pid}/journey.svg",
         "/projects/{pid}/quotes?ids=1,2", "/api/v1/projects/{pid}/network", "/api/v1/projects/{pid}/journey",
         "/api/v1/projects/{pid}/quotes?ids=1"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", [Role.VIEWER, Role.CODER, Role.OWNER])
def test_every_member_may_read_the_network_and_the_journey_map(client, auth, session, project, path, role):
    email = "owner@example.org" if role is Role.OWNER else f"{role.value}@example.org"
    if role is not Role.OWNER:
        make_member(session, project, email, role)
    auth.login(email)
    assert client.get(path.format(pid=project.id)).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_outsiders_get_not_found_and_strangers_are_sent_to_log_in(client, auth, session, project, path):
    url = path.format(pid=project.id)
    anonymous = client.get(url)
    assert anonymous.status_code == (401 if url.startswith("/api/") else 302)
    make_user(session, email="outsider@example.org")
    auth.login("outsider@example.org")
    assert client.get(url).status_code == 404


def test_the_network_page_embeds_the_graph_and_shows_the_beyond_share(client, auth, project):
    auth.login()
    page = client.get(f"/projects/{project.id}/network").get_data(as_text=True)
    assert 'id="network-data"' in page and "vendor/cytoscape.min.js" in page
    assert "50 %</strong> of the actor and touchpoint mentions are beyond Fjällbanken" in page
    assert "Candidate partners" in page and "Mäklare" in page
    start = page.index('id="network-data"')
    body = page[page.index(">", start) + 1:page.index("</script>", start)]
    data = json.loads(body)
    company = {n["label"]: n["is_company"] for n in data["nodes"]}
    assert company["Fjällbanken"] is True and company["Mäklare"] is False
    assert set(data["positions"]) == {n["id"] for n in data["nodes"]}


def test_the_pages_keep_the_content_security_policy_every_script_has_the_nonce(client, auth, project):
    auth.login()
    for path in ("network", "journey"):
        response = client.get(f"/projects/{project.id}/{path}")
        html = response.get_data(as_text=True)
        nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert html.count("<script") == html.count(f'nonce="{nonce}"') > 0
        assert ' style="' not in html and " onclick=" not in html


def test_filters_change_the_network_and_bad_filters_are_refused(client, auth, project):
    auth.login()
    api = f"/api/v1/projects/{project.id}/network"
    whole = client.get(api).get_json()
    assert whole["beyond_share"]["overall"][0]["mentions"] == 2
    only = client.get(f"{api}?layers=actor&min_weight=1&source_kind=interview").get_json()
    assert {n["kind"] for n in only["nodes"]} == {"actor"}
    assert client.get(f"{api}?source_kind=survey").get_json()["nodes"] == []
    assert client.get(f"{api}?min_weight=0").status_code == 400
    assert client.get(f"{api}?layers=planets").status_code == 400
    assert client.get(f"{api}?participant=x").status_code == 400
    assert client.get(f"/projects/{project.id}/network?min_weight=abc").status_code == 400


def test_the_api_downloads_graphml_gexf_and_kumu_with_weights(client, auth, project):
    auth.login()
    api = f"/api/v1/projects/{project.id}/network"
    graphml = client.get(f"{api}?format=graphml")
    assert graphml.headers["Content-Disposition"].startswith("attachment")
    root = ET.fromstring(graphml.data)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", ns)) == 4
    assert root.findall(".//g:edge/g:data[@key='e_weight']", ns)
    gexf = ET.fromstring(client.get(f"{api}?format=gexf").data)
    assert gexf.tag == "{http://gexf.net/1.3}gexf"
    assert all(float(e.get("weight")) >= 1 for e in gexf.iter("{http://gexf.net/1.3}edge"))
    kumu = json.loads(client.get(f"{api}?format=kumu").data)
    assert {"elements", "connections"} <= set(kumu)
    assert client.get(f"{api}?format=kumu-elements").data.startswith(b"Label,Type,Tags")
    assert client.get(f"{api}?format=dot").status_code == 400


def test_the_journey_api_and_the_svg_carry_the_map_and_the_emotion_curve(client, auth, project):
    auth.login()
    data = client.get(f"/api/v1/projects/{project.id}/journey").get_json()
    assert [c["name"] for c in data["columns"]] == [p.name for p in project.phases]
    assert len(data["emotion"]) == len(project.phases)
    csv = client.get(f"/api/v1/projects/{project.id}/journey?format=csv").get_data(as_text=True)
    assert csv.startswith("lane,phase,code")
    svg = client.get(f"/projects/{project.id}/journey.svg?download=1")
    assert svg.mimetype == "image/svg+xml" and "attachment" in svg.headers["Content-Disposition"]
    ET.fromstring(svg.data)  # well-formed
    page = client.get(f"/projects/{project.id}/journey").get_data(as_text=True)
    assert "Emotion curve" in page and "<svg" in page and "Journey map" in page


def test_quotes_link_to_their_place_in_the_document(client, auth, project):
    auth.login()
    ids = ",".join(str(i) for i in range(1, 10))
    quotes = client.get(f"/api/v1/projects/{project.id}/quotes?ids={ids}").get_json()
    agent = next(q for q in quotes if q["text"] == "Mäklaren")
    assert agent["href"] == f"/projects/{project.id}/sources/{project.source_id}?at=0-8"
    page = client.get(f"/projects/{project.id}/quotes?ids={ids}").get_data(as_text=True)
    assert f'href="/projects/{project.id}/sources/{project.source_id}?at=0-8"' in page
    assert client.get(f"/api/v1/projects/{project.id}/quotes?ids=a,b").status_code == 400


def test_the_api_works_with_a_bearer_token(client, session, project):
    with transaction(session):
        token = create_token(session, user_id=1, name="test")
    response = client.get(f"/api/v1/projects/{project.id}/network",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["nodes"]


@pytest.fixture
def cli(app, monkeypatch, tmp_path):
    """A runner of `kundstig` commands against the test database."""
    url = get_database(app).engine.url.render_as_string(hide_password=False)
    for name, value in {"DATABASE_URL": url, "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path),
                        "QUEUE_URL": "memory://"}.items():
        monkeypatch.setenv(f"KUNDSTIG_{name}", value)
    return CliRunner()


def test_the_cli_writes_the_network_and_the_journey_map(cli, project, tmp_path):
    result = cli.invoke(main, ["network", str(project.id)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["beyond_share"]["overall"][0]["beyond_mentions"] == 1
    target = tmp_path / "net.gexf"
    result = cli.invoke(main, ["network", str(project.id), "--format", "gexf", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert ET.parse(target).getroot().get("version") == "1.3"
    result = cli.invoke(main, ["journey", str(project.id), "--format", "csv"])
    assert result.exit_code == 0 and result.output.startswith("lane,phase,code")
    result = cli.invoke(main, ["network", "999"])
    assert result.exit_code == 1 and "No project 999" in result.output
