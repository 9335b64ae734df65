"""The codebook's safeguards: merging asks first, a code with codings cannot become a folder,
sibling names are unique however they are typed, refused forms keep what was typed, codes get
their own colours, the code form follows the kind, memos on the code page, and a new project
starts from the customer-path template or empty."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from coding.codebook import PALETTE, Code, create_code
from coding.codings import Coding, add_coding
from coding.kinds import CodeKind
from coding.memos import Memo, add_memo
from research import accounts
from research.db import transaction
from research.projects import Project
from tests.conftest import csrf_token, make_user
from tests.web.workbench_data import make_team, span_of


def _code_with_codings(session, team, *phrases):
    with transaction(session):
        return [add_coding(session, project_id=team.project.id, source_id=team.source.id, code_id=team.bank.id,
                           start=span_of(p)[0], end=span_of(p)[1], user_id=team.owner.id).id for p in phrases]


def _token(client) -> str:
    return csrf_token(client.get("/").get_data(as_text=True))


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _edit_data(code: Code, **changes) -> dict[str, object]:
    data: dict[str, object] = {"name": code.name, "kind": code.kind.value, "colour": code.colour,
                               "parent_id": "" if code.parent_id is None else str(code.parent_id),
                               "version": str(code.version), "ownership": code.ownership or ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- 1. merging ----------------------------------------------------------------------------------------------

def test_the_merge_form_preselects_no_target(client, auth, session):
    team = make_team(session)
    auth.login()
    page = client.get(f"/projects/{team.project.id}/codebook/{team.bank.id}").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="merge-target_id".*?</select>', page, re.S).group(0)
    assert '<option value="">Choose a code…</option>' in select_html
    assert "selected" not in select_html  # the browser shows the empty first option


def test_merging_without_choosing_a_target_says_so_and_changes_nothing(client, auth, session):
    team = make_team(session)
    _code_with_codings(session, team, "banken")
    auth.login()
    response = client.post(f"/projects/{team.project.id}/codebook/{team.bank.id}/merge",
                           data={"csrf_token": _token(client), "merge-target_id": ""})
    assert response.status_code == 400
    assert "Choose the code to merge into." in _text(response)
    session.rollback()
    assert session.get(Code, team.bank.id) is not None


def test_merging_asks_for_a_ticked_confirmation_that_states_what_moves(client, auth, session):
    team = make_team(session)
    ids = _code_with_codings(session, team, "banken", "Mäklaren på Ærø")
    with transaction(session):
        target = create_code(session, project_id=team.project.id, name="Kreditgivare", kind=CodeKind.ACTOR,
                             parent_id=team.folder.id)
    target_id = target.id
    auth.login()
    url = f"/projects/{team.project.id}/codebook/{team.bank.id}/merge"
    chosen = client.post(url, data={"csrf_token": _token(client), "merge-target_id": str(target_id)})
    assert chosen.status_code == 200
    page = _text(chosen)
    assert "Move 2 codings from 'Banken' to 'Kreditgivare' and delete 'Banken'" in page
    assert "Different kinds" not in page
    session.rollback()
    assert session.get(Code, team.bank.id) is not None  # choosing alone merges nothing

    unticked = client.post(url, data={"csrf_token": _token(client), "merge-target_id": str(target_id),
                                      "merge-step": "confirm", "merge-codings": "2"})
    assert unticked.status_code == 400
    assert "Tick the box to confirm the merge." in _text(unticked)
    session.rollback()
    assert session.get(Code, team.bank.id) is not None

    done = client.post(url, data={"csrf_token": _token(client), "merge-target_id": str(target_id),
                                  "merge-step": "confirm", "merge-codings": "2", "merge-confirm": "y"},
                       follow_redirects=True)
    assert "'Banken' merged into 'Kreditgivare': 2 codings moved." in _text(done)
    session.rollback()
    assert session.scalar(select(Code.id).where(Code.id == team.bank.id)) is None
    assert set(session.scalars(select(Coding.code_id).where(Coding.id.in_(ids)))) == {target_id}


def test_merging_codes_of_different_kinds_warns_and_still_needs_the_tick(client, auth, session):
    team = make_team(session)
    _code_with_codings(session, team, "banken")
    auth.login()
    url = f"/projects/{team.project.id}/codebook/{team.bank.id}/merge"
    chosen = client.post(url, data={"csrf_token": _token(client), "merge-target_id": str(team.home.id)})
    page = _text(chosen)
    assert "'Banken' is an actor, 'Köpa ett hem' is a goal." in page
    assert "Move 1 coding from 'Banken' to 'Köpa ett hem' and delete 'Banken'" in page
    client.post(url, data={"csrf_token": _token(client), "merge-target_id": str(team.home.id),
                           "merge-step": "confirm", "merge-codings": "1"})
    session.rollback()
    assert session.get(Code, team.bank.id) is not None


def test_a_merge_confirmed_for_other_numbers_is_shown_again(client, auth, session):
    team = make_team(session)
    _code_with_codings(session, team, "banken", "Göteborg")
    auth.login()
    response = client.post(f"/projects/{team.project.id}/codebook/{team.bank.id}/merge",
                           data={"csrf_token": _token(client), "merge-target_id": str(team.home.id),
                                 "merge-step": "confirm", "merge-codings": "1", "merge-confirm": "y"})
    assert response.status_code == 409
    assert "Move 2 codings" in _text(response)
    session.rollback()
    assert session.get(Code, team.bank.id) is not None


# --- 2. folders and parents ------------------------------------------------------------------------------------

def test_a_code_with_codings_cannot_be_made_a_folder(client, auth, session):
    team = make_team(session)
    _code_with_codings(session, team, "banken", "Göteborg")
    auth.login()
    url = f"/projects/{team.project.id}/codebook/{team.bank.id}"
    response = client.post(url, data={"csrf_token": _token(client), **_edit_data(team.bank, is_folder="y",
                                                                                 description="Ny text")})
    assert response.status_code == 400
    page = _text(response)
    assert "'Banken' has 2 codings; a folder cannot hold codings. Move or merge them first." in page
    assert "Code 'Banken' saved." not in page
    session.rollback()
    session.expire_all()
    bank = session.get(Code, team.bank.id)
    assert (bank.is_folder, bank.description) == (False, "")


def test_a_code_without_codings_can_be_made_a_folder_from_its_form(client, auth, session):
    team = make_team(session)
    auth.login()
    url = f"/projects/{team.project.id}/codebook/{team.home.id}"
    response = client.post(url, data={"csrf_token": _token(client), **_edit_data(team.home, is_folder="y")})
    assert response.status_code == 302
    session.rollback()
    session.expire_all()
    assert session.get(Code, team.home.id).is_folder


@pytest.mark.parametrize("where", ["itself", "a sub-code"])
def test_a_crafted_form_cannot_put_a_code_inside_itself_or_its_sub_codes(client, auth, session, where):
    team = make_team(session)
    auth.login()
    target = team.folder.id if where == "itself" else team.bank.id
    url = f"/projects/{team.project.id}/codebook/{team.folder.id}"
    response = client.post(url, data={"csrf_token": _token(client),
                                      **_edit_data(team.folder, parent_id=str(target), is_folder="y")})
    assert response.status_code == 400
    page = _text(response)
    assert "'Aktörer' cannot be placed inside itself or one of its own sub-codes." in page
    assert "Code 'Aktörer' saved." not in page
    session.rollback()
    session.expire_all()
    assert session.get(Code, team.folder.id).parent_id is None


def test_the_edit_form_moves_a_code_to_another_folder(client, auth, session):
    team = make_team(session)
    with transaction(session):
        other = create_code(session, project_id=team.project.id, name="Partner", kind=CodeKind.ACTOR, is_folder=True)
    other_id = other.id
    auth.login()
    url = f"/projects/{team.project.id}/codebook/{team.bank.id}"
    assert client.post(url, data={"csrf_token": _token(client),
                                  **_edit_data(team.bank, parent_id=str(other_id))}).status_code == 302
    session.rollback()
    session.expire_all()
    assert session.get(Code, team.bank.id).parent_id == other_id


# --- 3. names ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["banken", "  BANKEN ", "Banken"])
def test_a_sibling_name_differing_only_in_case_or_spaces_is_refused_like_a_duplicate(client, auth, session, typed):
    team = make_team(session)
    auth.login()
    response = client.post(f"/projects/{team.project.id}/codebook",
                           data={"csrf_token": _token(client), "name": typed, "kind": "actor",
                                 "parent_id": str(team.folder.id), "colour": "#336699"})
    assert response.status_code == 409
    assert "There is already a code named 'Banken' here." in _text(response)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Code).where(Code.parent_id == team.folder.id)) == 1


def test_a_decomposed_unicode_name_is_the_same_name(client, auth, session):
    team = make_team(session)
    auth.login()
    decomposed = "Ko\u0308pa ett hem"  # "Köpa ett hem" typed with a combining diaeresis
    response = client.post(f"/projects/{team.project.id}/codebook",
                           data={"csrf_token": _token(client), "name": decomposed, "kind": "goal",
                                 "colour": "#336699"})
    assert response.status_code == 409
    assert "There is already a code named 'Köpa ett hem' here." in _text(response)


def test_the_api_refuses_a_sibling_name_in_other_letter_case(client, session):
    team = make_team(session)
    with transaction(session):
        token = accounts.create_token(session, user_id=team.owner.id)
    response = client.post(f"/api/v1/projects/{team.project.id}/codes", headers={"Authorization": f"Bearer {token}"},
                           json={"name": "köpa ETT hem", "kind": "goal"})
    assert response.status_code == 409, response.get_json()


def test_renaming_a_code_to_another_case_of_its_own_name_is_allowed_but_not_to_a_siblings(client, auth, session):
    team = make_team(session)
    with transaction(session):
        create_code(session, project_id=team.project.id, name="Mäklaren", kind=CodeKind.ACTOR,
                    parent_id=team.folder.id)
    auth.login()
    url = f"/projects/{team.project.id}/codebook/{team.bank.id}"
    clash = client.post(url, data={"csrf_token": _token(client), **_edit_data(team.bank, name="MÄKLAREN")})
    assert clash.status_code == 409
    assert "There is already a code named 'Mäklaren' here." in _text(clash)
    session.rollback()
    session.expire_all()
    bank = session.get(Code, team.bank.id)
    own = client.post(url, data={"csrf_token": _token(client), **_edit_data(bank, name="BANKEN")})
    assert own.status_code == 302
    session.rollback()
    session.expire_all()
    assert session.get(Code, team.bank.id).name == "BANKEN"


# --- 4. split and delete ---------------------------------------------------------------------------------------

def test_a_refused_split_keeps_the_typed_name_and_the_ticks(client, auth, session):
    team = make_team(session)
    first, second = _code_with_codings(session, team, "banken", "Göteborg")
    auth.login()
    url = f"/projects/{team.project.id}/codebook/{team.bank.id}/split"
    nothing_ticked = client.post(url, data={"csrf_token": _token(client), "split-new_name": "Bankens app"})
    assert nothing_ticked.status_code == 400
    page = _text(nothing_ticked)
    assert "Choose the codings that go to the new code." in page
    assert 'value="Bankens app"' in page
    no_name = client.post(url, data={"csrf_token": _token(client), "split-new_name": "",
                                     "split-coding": [str(second)]})
    assert no_name.status_code == 400
    page = _text(no_name)
    assert "Give the new code a name." in page
    assert f'value="{second}" checked' in page and f'value="{first}" checked' not in page


def test_the_code_split_off_gets_a_colour_of_its_own(client, auth, session):
    team = make_team(session)
    _, moved = _code_with_codings(session, team, "banken", "Göteborg")
    auth.login()
    client.post(f"/projects/{team.project.id}/codebook/{team.bank.id}/split",
                data={"csrf_token": _token(client), "split-new_name": "Bankens app", "split-coding": [str(moved)]})
    session.rollback()
    new = session.scalar(select(Code).where(Code.name == "Bankens app"))
    assert new.colour != "#1f6f78" and new.colour in PALETTE


def test_the_delete_message_says_how_many_codings_went(client, auth, session):
    team = make_team(session)
    _code_with_codings(session, team, "banken", "Göteborg", "Mäklaren på Ærø")
    auth.login()
    response = client.post(f"/projects/{team.project.id}/codebook/{team.bank.id}/delete",
                           data={"csrf_token": _token(client), "delete-confirm": "y"}, follow_redirects=True)
    assert "Code 'Banken' deleted with its 3 codings." in _text(response)
    folder = client.post(f"/projects/{team.project.id}/codebook/{team.folder.id}/delete",
                         data={"csrf_token": _token(client), "delete-confirm": "y"}, follow_redirects=True)
    assert "Folder 'Aktörer' deleted with its 0 codings." in _text(folder)


# --- 5. the code form: kind fields and colours --------------------------------------------------------------

def test_each_kind_field_says_which_kinds_use_it(client, auth, session):
    team = make_team(session)
    auth.login()
    page = client.get(f"/projects/{team.project.id}/codebook").get_data(as_text=True)
    kinds = re.findall(r'<div class="kind-field" data-kinds="([^"]*)">\s*<div class="field[^"]*">\s*'
                       r'<label for="(\w+)"', page)
    by_field = {field: set(k.split()) for k, field in kinds}
    assert by_field == {"ownership": {"actor", "touchpoint"}, "actor_type": {"actor"},
                        "medium": {"touchpoint", "channel"}, "touchpoint_type": {"touchpoint"},
                        "company_role": {"touchpoint"}, "phase_id": {"phase"}, "valence": {"emotion"},
                        "goal_id": {"sub_goal"}}
    assert "js/code_form.js" in page and "data-code-form" in page


def test_the_colour_is_a_colour_picker_prefilled_with_an_unused_palette_colour(client, auth, session):
    team = make_team(session)
    auth.login()
    page = client.get(f"/projects/{team.project.id}/codebook").get_data(as_text=True)
    colour = re.search(r'<input[^>]*id="colour"[^>]*>', page).group(0)
    assert 'type="color"' in colour
    value = re.search(r'value="(#[0-9a-f]{6})"', colour).group(1)
    assert value in PALETTE and value not in {"#1f6f78", "#c0392b", "#7f8c8d"}


def test_codes_created_without_a_colour_get_different_colours(session):
    team = make_team(session)
    with transaction(session):
        colours = [create_code(session, project_id=team.project.id, name=f"Tema {i}", kind=CodeKind.THEME).colour
                   for i in range(4)]
    assert len(set(colours)) == 4 and set(colours) <= set(PALETTE)


@pytest.mark.parametrize("typed, stored", [("#3366CC", "#3366cc"), ("36c", "#3366cc"), (" #a1B2c3 ", "#a1b2c3")])
def test_a_typed_colour_is_accepted_where_the_picker_falls_back_to_text(client, auth, session, typed, stored):
    team = make_team(session)
    auth.login()
    response = client.post(f"/projects/{team.project.id}/codebook",
                           data={"csrf_token": _token(client), "name": "Trygghet", "kind": "need", "colour": typed})
    assert response.status_code == 302
    session.rollback()
    assert session.scalar(select(Code.colour).where(Code.name == "Trygghet")) == stored


def test_a_bad_colour_says_what_a_colour_looks_like(client, auth, session):
    team = make_team(session)
    auth.login()
    response = client.post(f"/projects/{team.project.id}/codebook",
                           data={"csrf_token": _token(client), "name": "Trygghet", "kind": "need", "colour": "blue"})
    assert response.status_code == 400
    assert "Colour must look like #3366cc" in _text(response)


# --- 6. memos on the code page ------------------------------------------------------------------------------

def test_the_code_page_shows_the_codes_memos_with_author_and_time(client, auth, session):
    team = make_team(session)
    with transaction(session):
        add_memo(session, project_id=team.project.id, target_type="code", target_id=team.bank.id,
                 text="Banken dyker upp sent i resan.", author_id=team.coder.id)
        add_memo(session, project_id=team.project.id, target_type="code", target_id=team.home.id,
                 text="Om ett annat mål", author_id=team.coder.id)
    auth.login(team.email("viewer"))
    page = _text(client.get(f"/projects/{team.project.id}/codebook/{team.bank.id}"))
    assert "Banken dyker upp sent i resan." in page and "Om ett annat mål" not in page
    assert "coder@example.org" in page or team.coder.display_name in page
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\dT", page)
    assert "Add memo" not in page  # a viewer reads memos only


@pytest.mark.parametrize("role, status", [("owner", 302), ("coder", 302), ("viewer", 403)])
def test_owners_and_coders_add_a_memo_on_the_code_page(client, auth, session, role, status):
    team = make_team(session)
    auth.login(team.email(role))
    url = f"/projects/{team.project.id}/codebook/{team.bank.id}"
    response = client.post(f"{url}/memos", data={"csrf_token": _token(client), "memo-text": "Kolla räntan."})
    assert response.status_code == status
    session.rollback()
    memo = session.scalar(select(Memo).where(Memo.text == "Kolla räntan."))
    assert (memo is not None) == (status == 302)
    if memo is not None:
        assert (memo.target_type, memo.target_id) == ("code", team.bank.id)
        assert response.headers["Location"].endswith(f"{url}#memos")
        assert "Kolla räntan." in _text(client.get(url))


def test_an_empty_memo_is_refused_on_the_code_page(client, auth, session):
    team = make_team(session)
    auth.login()
    response = client.post(f"/projects/{team.project.id}/codebook/{team.bank.id}/memos",
                           data={"csrf_token": _token(client), "memo-text": "  "})
    assert response.status_code == 400
    assert "Write something first." in _text(response)


# --- 7. a new project starts from the template or empty -------------------------------------------------------

def test_the_new_project_page_offers_the_template_by_default_or_an_empty_codebook(client, auth, session):
    make_user(session)
    auth.login()
    page = client.get("/projects/new").get_data(as_text=True)
    assert "Start from the customer-path template" in page and "Start empty" in page
    assert re.search(r'<input checked id="codebook-0" name="codebook" type="radio" value="template">', page)


@pytest.mark.parametrize("choice", ["template", "empty"])
def test_a_new_project_starts_from_the_template_or_empty(client, auth, session, choice):
    make_user(session)
    auth.login()
    response = client.post("/projects/new", data={
        "csrf_token": csrf_token(client.get("/projects/new").get_data(as_text=True)), "name": "Bolånestudien",
        "language": "sv", "company_name": "Fjällbanken", "company_aliases": "FB, Fjällbankens app",
        "phase_model": "five", "codebook": choice}, follow_redirects=True)
    assert response.status_code == 200
    project = session.scalar(select(Project).where(Project.name == "Bolånestudien"))
    codes = list(session.scalars(select(Code).where(Code.project_id == project.id)))
    if choice == "empty":
        assert codes == []
        return
    assert "customer-path codebook" in _text(response)
    assert {c.kind for c in codes if c.is_folder} == set(CodeKind)
    company = next(c for c in codes if c.kind is CodeKind.ACTOR and c.ownership == "company")
    assert (company.name, company.aliases) == ("Fjällbanken", ["FB", "Fjällbankens app"])
    assert [c.name for c in codes if c.kind is CodeKind.PHASE and not c.is_folder] == [p.name for p in project.phases]


# --- 8. after creating a code --------------------------------------------------------------------------------

def test_after_creating_a_code_its_row_is_highlighted_with_the_message_beside_it(client, auth, session):
    team = make_team(session)
    auth.login()
    response = client.post(f"/projects/{team.project.id}/codebook",
                           data={"csrf_token": _token(client), "name": "Oro", "kind": "emotion", "valence": "-1"})
    created = session.scalar(select(Code).where(Code.name == "Oro"))
    assert response.headers["Location"].endswith(f"#code-{created.id}")
    page = _text(client.get(response.headers["Location"]))
    row = re.search(rf'<li class="[^"]*just-created[^"]*" id="code-{created.id}">.*?</li>', page, re.S)
    assert row and "Code 'Oro' created." in row.group(0)
    again = _text(client.get(f"/projects/{team.project.id}/codebook"))
    assert "just-created" not in again and "created." not in again  # shown once
