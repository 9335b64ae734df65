"""Survey import through the preview page, participants import and editing, and the NHS file."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from research.participants import AttributeDef, Participant, attributes_of
from research.sources import Segment, Source
from tests.conftest import Auth
from tests.web.ingest_support import Setup, logged_in_project


@pytest.fixture
def setup(client: FlaskClient, auth: Auth, session: Session) -> Setup:
    return logged_in_project(client, auth, session)


def stage(setup: Setup, path: str, name: str, data: bytes) -> tuple[str, str]:
    response = setup.post(f"/projects/{setup.project.id}{path}", {
        "csrf_token": setup.token, "file": (io.BytesIO(data), name)})
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    return location, setup.client.get(location).get_data(as_text=True)


def roles(page: str) -> dict[str, int]:
    """Column name -> index of its role select on the preview page."""
    return {name: int(index) for index, name in re.findall(r'<label for="role-(\d+)">([^<]+)</label>', page)}


def selected(page: str, index: int) -> str:
    block = page.split(f'name="role-{index}"', 1)[1].split("</select>", 1)[0]
    found = re.search(r'<option value="(\w+)" selected', block)
    return found.group(1) if found else "ignore"


SURVEY = (
    "Respondent;Ålder;Kundtyp;Vad var svårast?;Vad var bäst?\n"
    "r1;34;Privat;Att förstå lånelöftet;Personalen\n"
    "r2;51;Företag;;Snabba svar\n"
    "\n"
    "r3;29;Privat;Budgivningen;\n"
).encode("cp1252")


def test_a_survey_csv_is_previewed_and_imported_as_respondents_answers_and_attributes(setup: Setup) -> None:
    location, page = stage(setup, "/import/survey", "enkat.csv", SURVEY)
    columns = roles(page)
    assert list(columns) == ["Respondent", "Ålder", "Kundtyp", "Vad var svårast?", "Vad var bäst?"]
    assert "r1" in page and "Att förstå lånelöftet" in page  # the first rows are shown
    assert selected(page, columns["Respondent"]) == "id"
    form = {"csrf_token": setup.token, f"role-{columns['Respondent']}": "id", f"role-{columns['Ålder']}": "attribute",
            f"role-{columns['Kundtyp']}": "attribute", f"role-{columns['Vad var svårast?']}": "question",
            f"role-{columns['Vad var bäst?']}": "question"}
    result = setup.client.post(location, data=form)
    html = result.get_data(as_text=True)
    assert result.status_code == 200 and "imported" in html and "3 respondents, 4 answers" in html
    hardest, best = setup.sources()
    assert (hardest.name, hardest.kind.value) == ("Vad var svårast?", "survey")
    assert hardest.text == "Att förstå lånelöftet\n\nBudgivningen"
    people = {p.id: p.name for p in setup.session.scalars(select(Participant))}
    assert [(s.start, s.end, people[s.participant_id], s.question) for s in hardest.segments] == [
        (0, 21, "r1", "Vad var svårast?"), (23, 35, "r3", "Vad var svårast?")]
    assert best.text == "Personalen\n\nSnabba svar"
    r2 = setup.session.scalar(select(Participant).where(Participant.name == "r2"))
    assert attributes_of(r2) == {"Ålder": "51", "Kundtyp": "Företag"}
    types = dict(setup.session.execute(select(AttributeDef.name, AttributeDef.type)).all())
    assert types == {"Ålder": "number", "Kundtyp": "choice"}
    # importing the same file again is a duplicate and adds nothing
    location, _ = stage(setup, "/import/survey", "enkat.csv", SURVEY)
    again = setup.client.post(location, data=form).get_data(as_text=True)
    assert "duplicate" in again and len(setup.sources()) == 2


def test_choosing_no_respondent_column_is_refused_and_nothing_is_stored(setup: Setup) -> None:
    location, page = stage(setup, "/import/survey", "enkat.csv", SURVEY)
    columns = roles(page)
    response = setup.client.post(location, data={"csrf_token": setup.token,
                                                 f"role-{columns['Respondent']}": "ignore",
                                                 f"role-{columns['Vad var bäst?']}": "question"})
    assert response.status_code == 400 and "respondent id column" in response.get_data(as_text=True)
    assert setup.sources() == []


def test_an_xlsx_survey_with_thousands_of_rows_and_excel_dates_imports_quickly(setup: Setup) -> None:
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "Datum", "Segment", "Kommentar"])
    for n in range(3000):
        sheet.append([f"R{n:04d}", dt.datetime(2024, 1, 1) + dt.timedelta(days=n % 90), ["B2B", "B2C"][n % 2],
                      f"Svar nummer {n} om banken och lånet." if n % 7 else None])
    buffer = io.BytesIO()
    book.save(buffer)
    location, page = stage(setup, "/import/survey", "stor.xlsx", buffer.getvalue())
    columns = roles(page)
    started = time.perf_counter()
    response = setup.client.post(location, data={
        "csrf_token": setup.token, f"role-{columns['id']}": "id", f"role-{columns['Datum']}": "attribute",
        f"role-{columns['Segment']}": "attribute", f"role-{columns['Kommentar']}": "question"})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and "3000 respondents" in response.get_data(as_text=True)
    assert elapsed < 30, f"3000 rows took {elapsed:.1f} s"
    [source] = setup.sources()
    answers = 3000 - len(range(0, 3000, 7))
    assert len(source.segments) == answers
    assert setup.session.scalar(select(func.count()).select_from(Participant)) == 3000
    r5 = setup.session.scalar(select(Participant).where(Participant.name == "R0005"))
    assert attributes_of(r5) == {"Datum": "2024-01-06", "Segment": "B2C"}
    types = dict(setup.session.execute(select(AttributeDef.name, AttributeDef.type)).all())
    assert types == {"Datum": "date", "Segment": "choice"}


PEOPLE = b"Namn,Roll,Alder,Kund sedan,B2B\nAnna,Kund,34,2019-05-01,nej\nBo,Handlaggare,51,2011-02-03,ja\n"


def test_a_participant_list_is_previewed_then_creates_and_updates_typed_participants(setup: Setup) -> None:
    location, page = stage(setup, "/participants/import", "deltagare.csv", PEOPLE)
    assert "Anna" in page and "(number)" in page and "(date)" in page and "(boolean)" in page
    form = {"csrf_token": setup.token, "name_column": "Namn", "attribute-1": "1", "attribute-2": "1",
            "attribute-3": "1", "attribute-4": "1"}
    assert setup.client.post(location, data=form).status_code == 302
    types = dict(setup.session.execute(select(AttributeDef.name, AttributeDef.type)).all())
    assert types == {"Roll": "text", "Alder": "number", "Kund sedan": "date", "B2B": "boolean"}
    anna = setup.session.scalar(select(Participant).where(Participant.name == "Anna"))
    assert attributes_of(anna) == {"Roll": "Kund", "Alder": "34", "Kund sedan": "2019-05-01", "B2B": "no"}
    # an updated list changes Anna and adds Cecilia
    location, page = stage(setup, "/participants/import", "deltagare2.csv",
                           b"Namn,Alder\nAnna,35\nCecilia,40\n")
    assert setup.client.post(location, data={"csrf_token": setup.token, "name_column": "Namn",
                                             "attribute-1": "1"}).status_code == 302
    setup.session.rollback()
    anna = setup.session.scalar(select(Participant).where(Participant.name == "Anna"))
    assert attributes_of(anna)["Alder"] == "35"
    assert setup.session.scalar(select(func.count()).select_from(Participant)) == 3
    listing = setup.client.get(f"/projects/{setup.project.id}/participants").get_data(as_text=True)
    assert "Cecilia" in listing and "Kund sedan" in listing and "2019-05-01" in listing


def test_a_list_whose_values_do_not_fit_an_existing_attribute_type_is_refused_whole(setup: Setup) -> None:
    location, _ = stage(setup, "/participants/import", "deltagare.csv", PEOPLE)
    setup.client.post(location, data={"csrf_token": setup.token, "name_column": "Namn", "attribute-2": "1"})
    location, _ = stage(setup, "/participants/import", "fel.csv", b"Namn,Alder\nDan,40\nEva,gammal\n")
    page = setup.client.post(location, data={"csrf_token": setup.token, "name_column": "Namn", "attribute-1": "1"},
                             follow_redirects=True).get_data(as_text=True)
    assert "fel.csv, row 3" in page and "takes a number" in page
    setup.session.rollback()
    assert setup.session.scalar(select(Participant).where(Participant.name == "Dan")) is None


def test_one_participant_is_edited_with_typed_values(setup: Setup) -> None:
    location, _ = stage(setup, "/participants/import", "deltagare.csv", PEOPLE)
    setup.client.post(location, data={"csrf_token": setup.token, "name_column": "Namn", "attribute-2": "1",
                                      "attribute-4": "1"})
    anna = setup.session.scalar(select(Participant).where(Participant.name == "Anna"))
    attrs = {a.name: a.id for a in setup.session.scalars(select(AttributeDef))}
    url = f"/projects/{setup.project.id}/participants/{anna.id}"
    assert "Alder" in setup.client.get(url).get_data(as_text=True)
    bad = setup.client.post(url, data={"csrf_token": setup.token, "name": "Anna", f"attr-{attrs['Alder']}": "trettio"})
    assert "takes a number" in bad.get_data(as_text=True)
    ok = setup.client.post(url, data={"csrf_token": setup.token, "name": "Anna A.", "description": "Förstagångsköpare",
                                      f"attr-{attrs['Alder']}": "36", f"attr-{attrs['B2B']}": "yes"})
    assert ok.status_code == 302
    setup.session.rollback()
    anna = setup.session.get(Participant, anna.id)
    assert (anna.name, anna.description) == ("Anna A.", "Förstagångsköpare")
    assert attributes_of(anna) == {"Alder": "36", "B2B": "yes"}


@pytest.mark.skipif(not os.environ.get("KUNDSTIG_CORPUS"), reason="KUNDSTIG_CORPUS is not set")
def test_the_nhs_friends_and_family_survey_imports_through_the_survey_importer(setup: Setup) -> None:
    data = (Path(os.environ["KUNDSTIG_CORPUS"]) / "nhs_fft_dev" / "nhs_fft_NHFT.csv").read_bytes()
    location, page = stage(setup, "/import/survey", "nhs_fft_NHFT.csv", data)
    columns = roles(page)
    assert selected(page, columns["FFT answer"]) == "question"
    form = {"csrf_token": setup.token, f"role-{columns['Respondent ID']}": "id",
            f"role-{columns['FFT question']}": "wording", f"role-{columns['FFT answer']}": "question",
            f"role-{columns['Service type 1']}": "attribute", f"role-{columns['Service type 2']}": "attribute",
            f"role-{columns['FFT categorical answer']}": "attribute"}
    form.update({f"role-{i}": form.get(f"role-{i}", "ignore") for i in columns.values()})
    response = setup.client.post(location, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "1507 respondents, 2313 answers" in html, html[-2000:]
    sources = {s.name: s for s in setup.sources()}
    assert set(sources) == {"What could we do better?", "What was good?"}
    assert sum(len(s.segments) for s in sources.values()) == 2812 - 499
    assert all(s.language == "en" for s in sources.values())
    first = sources["What could we do better?"]
    assert first.text.startswith("The stroke team should have been engaged from the hospital")
    segment = first.segments[0]
    person = setup.session.get(Participant, segment.participant_id)
    assert person.name == "NHFT 45" and segment.question == "What could we do better?"
    assert attributes_of(person)["Service type 1"] == "Community health services"
    assert attributes_of(person)["FFT categorical answer"] in {"1", "2", "3", "4", "5", "7"}
    types = dict(setup.session.execute(select(AttributeDef.name, AttributeDef.type)).all())
    assert types["Service type 1"] == "choice" and types["FFT categorical answer"] == "number"
    assert setup.session.scalar(select(func.count()).select_from(Segment).where(Segment.participant_id.is_(None))) == 0
    assert isinstance(first, Source)
