from coding.suggest.phases import PhaseSuggester, phase_concept
from coding.suggest.types import CodebookEntry, SuggestContext

from .support import segments_of

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
