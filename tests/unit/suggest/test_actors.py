import pytest

from coding.suggest.actors import ActorSuggester
from coding.suggest.types import CodebookEntry, SuggestContext

from .support import segments_of, source_text

CODEBOOK = [
    CodebookEntry(1, "Mäklare", "actor", aliases=("mäklaren",), ownership="third_party"),
    CodebookEntry(2, "Nordbo", "actor", aliases=("Nordbo Bank",), ownership="company"),
]


def found(text, language=None, codebook=CODEBOOK, company=("Nordbo", "Nordbo Bank")):
    segments = segments_of(text, language=language)
    ctx = SuggestContext(codebook=list(codebook), company_aliases=company)
    source = source_text(segments)
    return {source[s.start:s.end]: s for s in ActorSuggester().suggest(segments, ctx)}


def test_codebook_alias_matches_exactly_with_source_offsets():
    hits = found("Vi pratade med mäklaren igår.", "sv")
    assert hits["mäklaren"].code_id == 1
    assert hits["mäklaren"].rationale == "matches alias 'mäklaren'"


def test_compound_and_genitive_forms_match_the_code_by_lemma():
    hits = found("Fastighetsmäklarens råd var bra.", "sv")
    assert hits["Fastighetsmäklarens"].code_id == 1


@pytest.mark.parametrize(
    ("text", "word", "name", "ownership"),
    [
        ("Vi ringde banken och sen bankens kundtjänst.", "banken", "Bank", "third_party"),
        ("Jeg snakket med megleren om boligen.", "megleren", None, None),
        ("Vi talte med ejendomsmægleren og vores forældre.", "forældre", "Parents", "customer_sphere"),
        ("Leverantören skickade en offert till inköp.", "Leverantören", "Supplier", "partner"),
        ("Selgeren fra leverandøren ringte.", "Selgeren", "Sales rep", "company"),
        ("My colleague asked on a forum first.", "forum", "Forum", "third_party"),
        ("Takstmannen kom dagen etter.", "Takstmannen", "Inspector", "third_party"),
        ("Skatteverket skickade ett brev.", "Skatteverket", "Skatteverket", "third_party"),
        ("We met them at the trade fair in May.", "trade fair", "Trade fair", "third_party"),
    ],
)
def test_role_lexicon_proposes_actors_with_guessed_ownership(text, word, name, ownership):
    hit = found(text)[word]
    if name is None:  # megleren maps onto the existing estate-agent code
        assert hit.code_id == 1
    else:
        assert (hit.code_id, hit.proposed_kind, hit.proposed_name) == (None, "actor", name)
        assert hit.extra["ownership"] == ownership


def test_company_aliases_mark_the_company_code():
    hit = found("Sen ringde jag Nordbo Bank direkt.", "sv")["Nordbo Bank"]
    assert hit.code_id == 2
    assert hit.extra["ownership"] == "company"


def test_company_alias_without_a_code_proposes_a_company_actor():
    hit = found("Nordbo svarade snabbt.", "sv", codebook=[])["Nordbo"]
    assert (hit.proposed_name, hit.extra["ownership"]) == ("Nordbo", "company")


def test_capitalised_names_inside_sentences_are_proposed_and_pronouns_are_not():
    hits = found("Sen ringde Lisa från Handelsbanken Umeå. Vi var nöjda. I called DNB.")
    assert hits["Lisa"].extra["actor_type"] == "person_or_organisation"
    assert hits["Handelsbanken Umeå"].extra["actor_type"] == "organisation"
    assert "DNB" in hits
    assert "Vi" not in hits and "I" not in hits and "Sen" not in hits


def test_lower_case_proper_names_are_not_taken_for_organisations():
    hits = found("Vi fick en skat av en finn.", "sv")
    assert "skat" not in hits and "finn" not in hits


def test_short_words_inside_compounds_do_not_match():
    assert "alternativen" not in found("Vi funderade på alternativen.", "sv")


@pytest.mark.parametrize(
    ("text", "word"),
    [("Cafe\u0301et 👍🏽 låg nära, och där ringde vi mäklaren.", "mäklaren"),
     ("Æ, ø og å 😀: så snakket vi med megleren.", "megleren"),
     ("The naïve cafe\u0301 owner 🙂 called the estate agent.", "estate agent")],
)
def test_offsets_stay_exact_after_emoji_and_combining_marks(text, word):
    hit = found(text)[word]
    assert hit.code_id == 1 or hit.proposed_name == "Estate agent"
