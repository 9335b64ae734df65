"""Erasing a participant leaves no trace of them: sources, passages in shared sources,
segments, search rows, codings, suggestions and embeddings (both databases)."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from coding.codebook import CodeKind, create_code
from coding.codings import Coding, add_coding
from coding.erasure import erase_participant
from coding.suggestions import SegmentEmbedding, Suggestion
from research.db import transaction
from research.ingest import ImportOptions, SurveyColumns, import_file, prepare_document, store_document
from research.participants import AttributeValue, Participant
from research.search import search_segments
from research.sources import Segment, Source, SourceFile, SourceKind, SpeakerMapping
from research.speakers import SpeakerChoice, map_speakers
from tests.conftest import make_project, make_user

OWN = "I: Berätta om köpet.\nÅsa: Zebrafinken i Kiruna var min första bostad.\n"
GROUP = "I: Välkomna.\nÅsa: Jag heter Åsa och bor i Kiruna, zebrafinken.\nBo: Jag bor i Luleå.\nI: Tack.\n"
SURVEY = "id,svar,typ\nasa,Zebrafinken var bäst,B2C\nbo,Handläggaren var snabb,B2B\ncia,Allt gick bra,B2C\n"


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_erasing_a_participant_removes_their_material_and_keeps_everyone_elses(session: Session) -> None:
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        own = store_document(session, prepare_document("asa.txt", OWN.encode()), project_id=project.id,
                             kind=SourceKind.INTERVIEW, user_id=owner.id)
        group = store_document(session, prepare_document("grupp.txt", GROUP.encode()), project_id=project.id,
                               kind=SourceKind.INTERVIEW, user_id=owner.id)
    survey = import_file(session, project_id=project.id, user_id=owner.id, name="enkat.csv", data=SURVEY.encode(),
                         options=ImportOptions(kind=SourceKind.SURVEY,
                                               survey=SurveyColumns("id", ["svar"], ["typ"])))
    assert survey.status == "imported", survey.reason
    with transaction(session):
        asa = session.scalar(select(Participant).where(Participant.name == "asa"))
        map_speakers(session, project_id=project.id, source_id=own.id,
                     choices={"I": SpeakerChoice("interviewer"), "Åsa": SpeakerChoice("participant", asa.id)})
        map_speakers(session, project_id=project.id, source_id=group.id,
                     choices={"I": SpeakerChoice("interviewer"), "Åsa": SpeakerChoice("participant", asa.id),
                              "Bo": SpeakerChoice("new", name="Bo")})
        code = create_code(session, project_id=project.id, name="Boende", kind=CodeKind.THEME)
        group_text = session.get(Source, group.id).text
        survey_source = session.get(Source, survey.source_ids[0])

        def code_span(source: Source, phrase: str) -> Coding:
            start = source.text.index(phrase)
            return add_coding(session, project_id=project.id, source_id=source.id, code_id=code.id, start=start,
                              end=start + len(phrase), user_id=owner.id)

        code_span(own, "första bostad")
        code_span(session.get(Source, group.id), "heter Åsa")
        bo_coding = code_span(session.get(Source, group.id), "bor i Luleå")
        survey_coding = code_span(survey_source, "Handläggaren var snabb")
        session.add(Suggestion(project_id=project.id, source_id=own.id, start=0, end=5, score=0.9, suggester="t"))
        session.add(Suggestion(project_id=project.id, source_id=group.id, start=group_text.index("Kiruna"),
                               end=group_text.index("Kiruna") + 6, score=0.9, suggester="t"))
        for segment in session.scalars(select(Segment)):
            session.add(SegmentEmbedding(segment_id=segment.id, model_id="m", vector=b"\x00"))
    assert search_segments(session, project_id=project.id, query="zebrafinken").total == 3

    own_id, asa_id, group_id, survey_id = own.id, asa.id, group.id, survey_source.id
    with transaction(session):
        report = erase_participant(session, project_id=project.id, participant_id=asa_id, user_id=None)
    session.expire_all()

    assert (report.sources_deleted, report.sources_cut, report.segments_cut) == (1, 2, 2)
    assert session.get(Participant, asa_id) is None and session.get(Source, own_id) is None
    assert search_segments(session, project_id=project.id, query="zebrafinken").total == 0
    assert search_segments(session, project_id=project.id, query="kiruna").total == 0
    group = session.get(Source, group_id)
    assert group.text == "I: Välkomna.\nBo: Jag bor i Luleå.\nI: Tack.\n"
    assert [group.text[s.start:s.end] for s in group.segments] == ["Välkomna.", "Jag bor i Luleå.", "Tack."]
    survey_source = session.get(Source, survey_id)
    assert survey_source.text == "Handläggaren var snabb\n\nAllt gick bra"
    assert [survey_source.text[s.start:s.end] for s in survey_source.segments] == [
        "Handläggaren var snabb", "Allt gick bra"]
    codings = {c.id: (c.source_id, c.start, c.end) for c in session.scalars(select(Coding))}
    assert set(codings) == {bo_coding.id, survey_coding.id}
    start, end = codings[bo_coding.id][1:]
    assert group.text[start:end] == "bor i Luleå"
    start, end = codings[survey_coding.id][1:]
    assert survey_source.text[start:end] == "Handläggaren var snabb"
    assert count(session, Suggestion) == 0
    assert count(session, SegmentEmbedding) == count(session, Segment) == 5
    assert session.scalar(select(func.count()).select_from(SourceFile).where(
        SourceFile.source_id.in_([group.id, survey_source.id]))) == 0
    assert session.scalar(select(func.count()).select_from(SpeakerMapping).where(
        SpeakerMapping.participant_id == asa_id)) == 0
    assert session.scalar(select(func.count()).select_from(AttributeValue).where(
        AttributeValue.participant_id == asa_id)) == 0
    # No stored text anywhere still holds her words.
    for body in session.scalars(select(Source.text)):
        assert "Zebrafinken" not in body and "zebrafinken" not in body and "Åsa" not in body
    if session.get_bind().dialect.name == "sqlite":
        indexed = session.execute(text("SELECT count(*) FROM segment_search WHERE body LIKE '%ebrafink%'"))
        assert indexed.scalar_one() == 0
        assert session.execute(text("SELECT count(*) FROM segment_search")).scalar_one() == 5
    else:
        vectors = session.execute(text("SELECT count(*) FROM segment WHERE search_vector @@ "
                                       "to_tsquery('simple', 'zebrafinken')")).scalar_one()
        assert vectors == 0


def test_the_foreign_keys_cascade_on_this_database(session: Session) -> None:
    """Erasure relies on ON DELETE CASCADE; SQLite only honours it with foreign_keys on."""
    if session.get_bind().dialect.name == "sqlite":
        assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    owner = make_user(session)
    project = make_project(session, owner)
    with transaction(session):
        source = store_document(session, prepare_document("a.txt", b"I: x?\nBo: y.\n"), project_id=project.id,
                                kind=SourceKind.INTERVIEW, user_id=None)
        bo = Participant(project_id=project.id, name="Bo")
        session.add(bo)
        session.flush()
        source.participant_id = bo.id
    with transaction(session):
        session.delete(session.get(Participant, bo.id))
    session.expire_all()
    assert count(session, Source) == count(session, Segment) == count(session, SourceFile) == 0
    assert count(session, SpeakerMapping) == 0
