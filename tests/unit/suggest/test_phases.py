import pytest

from coding.suggest.phases import PhaseSuggester, phase_concept
from coding.suggest.types import CodebookEntry, SuggestContext

from .support import StubEmbedder, segments_of

SIX = [(1, "Medvetenhet", "Kunden blir medveten"), (2, "Intresse", "Kunden söker information"),
       (3, "Överväga", "Kunden jämför alternativ"), (4, "Köp", "Kunden köper"),
       (5, "Utvärdera", "Efter köpet"), (6, "Förtroende", "Lojalitet över tid")]


def test_phase_names_in_any_language_map_to_template_concepts():
    assert phase_concept("Överväga", "Kunden jämför alternativ") == "consideration"
    assert phase_concept("Kjøp", "") == "purchase"
    assert phase_concept("Loyalty", "trust over time") == "loyalty"


def test_cue_words_pick_the_phase_and_map_to_the_phase_code():
    segments = segments_of("Vi jämförde tre banker och funderade länge på alternativen.",
                           "Sen skrev vi på och betalade handpenningen.", language="sv")
    code = CodebookEntry(9, "Överväga", "phase", phase_position=3)
    ctx = SuggestContext(codebook=[code], phases=SIX)
    first, second = PhaseSuggester().suggest(segments, ctx)
    assert (first.code_id, first.start, first.end) == (9, segments[0].start, segments[0].end)
    assert "'jämförde'" in first.rationale
    assert (second.code_id, second.proposed_name) == (None, "Köp")


def test_without_cues_or_embedder_no_phase_is_proposed():
    segments = segments_of("Ja, precis.", language="sv")
    assert PhaseSuggester().suggest(segments, SuggestContext(codebook=[], phases=SIX)) == []


def test_embedder_similarity_ranks_phases_when_no_cue_is_present(embedder):
    phases = [(1, "Awareness", "heard of the brand first"), (2, "Loyalty", "stay with them for years")]
    segments = segments_of("we will stay with them for years", language="en")
    ctx = SuggestContext(codebook=[], phases=phases, embedder=embedder)
    (suggestion,) = PhaseSuggester().suggest(segments, ctx)
    assert suggestion.proposed_name == "Loyalty"
    assert 0.5 < suggestion.score <= 1.0


FIVE = [(1, "Awareness", "The customer becomes aware of a need or an offer"),
        (2, "Consideration", "The customer compares alternatives and gathers information"),
        (3, "Purchase", "The customer decides, signs and pays"),
        (4, "Follow-up", "After the purchase: delivery, use, complaints and evaluation"),
        (5, "Loyalty", "The customer comes back, recommends and trusts over time")]


def phases_of(*texts, language=None, embedder=None, phases=FIVE):
    ctx = SuggestContext(codebook=[], phases=phases, embedder=embedder)
    return PhaseSuggester().suggest(segments_of(*texts, language=language), ctx)


@pytest.mark.parametrize(
    ("text", "language", "phase", "cues"),
    [
        ("Vi jämförde tre banker och funderade på alternativen.", "sv", "Consideration",
         "'alternativen', 'funderade', 'jämförde'"),
        ("Vi sammenlignet tre banker før vi bestemte oss.", "nb", "Consideration", "'sammenlignet'"),
        ("Vi underskrev købsaftalen og betalte udbetalingen.", "da", "Purchase",
         "'betalte', 'underskrev'"),
        ("We would recommend them and we will come back again.", "en", "Loyalty",
         "'again', 'come back', 'recommend'"),
    ],
)
def test_clear_cue_words_give_the_phase_and_are_named(text, language, phase, cues):
    (found,) = phases_of(text, language=language)
    assert found.proposed_name == phase
    assert found.rationale == f"cue words {cues}"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ja, precis. Det stämmer.", "sv"),
        ("Vi fick mer information om det.", "sv"),  # one word of a phase description
        ("Vi jämförde dem och köpte den billigaste.", "sv"),  # consideration = purchase
        ("Jo, det var sånn det var.", "nb"),
        ("Vi snakket om det hjemme.", "nb"),
        ("Ja, det kan man godt sige.", "da"),
        ("Yes, that was in the spring.", "en"),
    ],
)
def test_interview_turns_without_a_clear_lead_get_no_phase(text, language):
    assert phases_of(text, language=language) == []


def stub(text, *cosines):
    vectors = {f"{name}: {description}": StubEmbedder.axis(n) for n, (_, name, description) in
               enumerate(FIVE)}
    vectors[text] = StubEmbedder.leaning(*cosines)
    return StubEmbedder(vectors)


def test_a_clear_similarity_margin_proposes_a_phase_with_its_cosines():
    text = "Vi hade bott där i tio år och tänkte inte flytta."
    (found,) = phases_of(text, language="sv", embedder=stub(text, 0.30, 0.20, 0.20, 0.25, 0.45))
    assert found.proposed_name == "Loyalty"
    assert found.rationale == "closest to the definition of 'Loyalty' (cosine 0.45; next 'Awareness' 0.30)"


def test_a_narrow_similarity_margin_proposes_nothing():
    text = "Jeg husker ikke helt hvordan det var."
    assert phases_of(text, language="nb", embedder=stub(text, 0.30, 0.20, 0.20, 0.25, 0.31)) == []


def test_cues_and_similarity_that_disagree_propose_nothing():
    text = "We compared three banks and the alternatives."
    assert phases_of(text, language="en", embedder=stub(text, 0.20, 0.20, 0.45, 0.20, 0.20)) == []


def test_cues_and_similarity_that_agree_name_both():
    text = "We compared three banks and the alternatives."
    (found,) = phases_of(text, language="en", embedder=stub(text, 0.20, 0.45, 0.20, 0.20, 0.20))
    assert found.proposed_name == "Consideration"
    assert found.rationale.startswith("cue words 'alternatives', 'compared'; closest to the definition")


@pytest.mark.parametrize(
    ("text", "language"),
    [("Vi ville köpa en bostad närmare jobbet.", "sv"),
     ("Vi ville kjøpe leilighet i Bergen.", "nb"),
     ("Vi ville gerne købe et hus med have.", "da"),
     ("We wanted to buy a flat near the school.", "en")],
)
def test_a_cue_word_inside_a_goal_clause_is_a_goal_not_a_phase(text, language):
    assert phases_of(text, language=language) == []


def test_the_same_cue_word_outside_a_goal_clause_gives_the_phase():
    (found,) = phases_of("Till slut köpte vi bostaden i maj.", language="sv")
    assert (found.proposed_name, found.rationale) == ("Purchase", "cue words 'köpte'")


def test_an_ordinary_verb_is_no_loyalty_cue():
    assert phases_of("Det blev en lång dag.", language="sv") == []
