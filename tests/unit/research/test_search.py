"""Full-text search at segment level, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from research.db import transaction
from research.errors import InvalidInput
from research.ingest import prepare_document, store_document
from research.participants import define_attribute, set_attribute
from research.search import _snippet_pattern, keyword_in_context, parse_query, search_segments
from research.sources import Source, SourceKind
from research.speakers import SpeakerChoice, map_speakers
from tests.conftest import make_project, make_user

INTERVIEW = (
    "I: Hur fick ni lånet?\n"
    "Åsa: Banken gav oss ett lånelöfte efter två veckor. Det var en lättnad.\n"
    "I: Och mäklaren?\n"
    "Åsa: Mäklaren ringde varje dag om budgivningen.\n"
)
OBSERVATION = "Kunden frågade om lånet vid disken.\n\nPersonalen hänvisade till appen."


@pytest.fixture
def project(session: Session):  # type: ignore[no-untyped-def]
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        interview = store_document(session, prepare_document("asa.txt", INTERVIEW.encode()), project_id=project.id,
                                   kind=SourceKind.INTERVIEW, user_id=None)
        store_document(session, prepare_document("filial.txt", OBSERVATION.encode()), project_id=project.id,
                       kind=SourceKind.OBSERVATION, user_id=None)
        map_speakers(session, project_id=project.id, source_id=interview.id,
                     choices={"I": SpeakerChoice("interviewer"), "Åsa": SpeakerChoice("new", name="Åsa")})
    return project


def names(result) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(hit.source_name, hit.match) for hit in result.hits]


def test_a_word_finds_the_segments_holding_it_and_words_it_begins(session: Session, project) -> None:  # type: ignore[no-untyped-def]
    result = search_segments(session, project_id=project.id, query="lån")
    assert result.total == 3
    assert sorted(names(result)) == [("asa", "lånelöfte"), ("asa", "lånet"), ("filial", "lånet")]


def test_letters_with_diacritics_are_letters_of_their_own_and_case_is_ignored(session: Session, project) -> None:  # type: ignore[no-untyped-def]
    found = search_segments(session, project_id=project.id, query="MÄKLAREN")
    assert sorted(names(found)) == [("asa", "Mäklaren"), ("asa", "mäklaren")]
    assert search_segments(session, project_id=project.id, query="maklaren").total == 0


def test_all_words_must_occur_and_quoted_phrases_must_occur_together(session: Session, project) -> None:  # type: ignore[no-untyped-def]
    assert search_segments(session, project_id=project.id, query="banken veckor").total == 1
    assert search_segments(session, project_id=project.id, query="banken mäklaren").total == 0
    assert search_segments(session, project_id=project.id, query='"två veckor"').total == 1
    assert search_segments(session, project_id=project.id, query='"veckor två"').total == 0
    assert search_segments(session, project_id=project.id, query='"två vecko"').total == 0


def test_a_hit_carries_its_offsets_speaker_participant_and_a_snippet(session: Session, project) -> None:  # type: ignore[no-untyped-def]
    [hit] = search_segments(session, project_id=project.id, query="lättnad").hits
    source = session.get(Source, hit.source_id)
    assert source.text[hit.start:hit.end] == "Banken gav oss ett lånelöfte efter två veckor. Det var en lättnad."
    assert source.text[hit.match_start:hit.match_start + len("lättnad")] == "lättnad"
    assert (hit.speaker, hit.participant, hit.source_kind) == ("Åsa", "Åsa", SourceKind.INTERVIEW)
    [question] = search_segments(session, project_id=project.id, query="hur fick").hits
    assert (question.speaker, question.participant) == ("I", None)
    assert hit.match == "lättnad" and hit.after == "."
    assert hit.before.endswith("Det var en ")


def test_filters_by_kind_speaker_and_participant_attribute(session: Session, project) -> None:  # type: ignore[no-untyped-def]
    assert names(search_segments(session, project_id=project.id, query="lånet", kind=SourceKind.OBSERVATION)) == [
        ("filial", "lånet")]
    assert names(search_segments(session, project_id=project.id, query="lånet", speaker="I")) == [("asa", "lånet")]
    with transaction(session):
        from sqlalchemy import select

        from research.participants import Participant

        asa = session.scalar(select(Participant).where(Participant.project_id == project.id))
        persona = define_attribute(session, project_id=project.id, name="Persona", type="choice")
        set_attribute(session, asa, persona, "Förstagångsköpare")
    found = search_segments(session, project_id=project.id, query="banken", attribute_id=persona.id,
                            attribute_value="Förstagångsköpare")
    assert names(found) == [("asa", "Banken")]
    assert search_segments(session, project_id=project.id, query="banken", attribute_id=persona.id,
                           attribute_value="Investerare").total == 0
    # the interviewer's turns belong to no participant, so an attribute filter leaves them out
    assert search_segments(session, project_id=project.id, query="lånet", attribute_id=persona.id).total == 0


def test_another_projects_material_is_never_found(session: Session, project) -> None:  # type: ignore[no-untyped-def]
    owner = make_user(session, email="other@example.org")
    other = make_project(session, owner, name="Other")
    with transaction(session):
        store_document(session, prepare_document("x.txt", b"Banken ringde."), project_id=other.id,
                       kind=SourceKind.DOCUMENT, user_id=None)
    assert search_segments(session, project_id=project.id, query="ringde").total == 1
    assert search_segments(session, project_id=other.id, query="ringde").total == 1


def test_the_index_follows_deleted_sources(session: Session, project) -> None:  # type: ignore[no-untyped-def]
    with transaction(session):
        session.execute(delete(Source).where(Source.project_id == project.id, Source.name == "filial"))
    assert names(search_segments(session, project_id=project.id, query="lånet")) == [("asa", "lånet")]
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(text("SELECT count(*) FROM segment_search")).scalar_one()
        assert rows == 4


def test_syntax_in_the_query_is_taken_as_words(session: Session, project) -> None:  # type: ignore[no-untyped-def]
    for query in ['lån* OR "', "NEAR(lån", "lån:* & !x", "'; DROP TABLE segment; --", "a-b"]:
        search_segments(session, project_id=project.id, query=query)
    with pytest.raises(InvalidInput):
        search_segments(session, project_id=project.id, query=" !! ")


def test_parse_query_reads_words_phrases_and_ignores_punctuation() -> None:
    terms = parse_query('Lån, "två  veckor" banken!')
    assert [(t.words, t.prefix) for t in terms] == [(("lån",), True), (("två", "veckor"), False),
                                                    (("banken",), True)]


def test_keyword_in_context_cuts_at_word_boundaries() -> None:
    body = " ".join(f"ord{n}" for n in range(60)) + " lånet " + " ".join(f"efter{n}" for n in range(60))
    before, match, after, at = keyword_in_context(body, _snippet_pattern(parse_query("lån")), context=30)
    assert match == "lånet" and body[at:at + 5] == "lånet"
    assert before.startswith("…ord") and after.endswith("…")
    assert len(before) <= 32 and len(after) <= 32
