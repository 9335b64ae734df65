import pytest

from coding.suggest.goals import GoalSuggester
from coding.suggest.types import CodebookEntry, SuggestContext

from .support import segments_of, source_text


def goals(text, codebook=(), language=None, embedder=None):
    segments = segments_of(text, language=language)
    source = source_text(segments)
    ctx = SuggestContext(codebook=list(codebook), embedder=embedder)
    return [(source[s.start:s.end], s) for s in GoalSuggester().suggest(segments, ctx)]


def test_sub_goal_is_linked_to_the_goal_it_serves_in_swedish():
    found = dict(goals("För att kunna köpa en bostad behövde vi lånelöfte.", language="sv"))
    assert found["köpa en bostad"].proposed_kind == "goal"
    sub = found["lånelöfte"]
    assert (sub.proposed_kind, sub.proposed_name) == ("sub_goal", "Lånelöfte")
    assert sub.extra["serves_goal"] == "köpa en bostad"
    start, end = sub.extra["serves_goal_span"]
    assert (start, end) == (found["köpa en bostad"].start, found["köpa en bostad"].end)


def test_need_before_purpose_links_the_same_way():
    found = dict(goals("Vi behövde ett lånelöfte för att kunna köpa en bostad.", language="sv"))
    assert found["lånelöfte"].extra["serves_goal"] == "köpa en bostad"


@pytest.mark.parametrize(
    ("text", "phrase", "kind"),
    [
        ("Jeg ville kjøpe en leilighet nær jobben, så jeg snakket med megleren.",
         "kjøpe en leilighet nær jobben", "goal"),
        ("Vi ønskede at finde et hus, og vi talte med banken for at få et lån.", "få et lån", "sub_goal"),
        ("I called them in order to get a quote, but nobody answered.", "get a quote", "sub_goal"),
        ("Målet var att hitta en lägenhet innan sommaren.", "hitta en lägenhet", "goal"),
        ("The goal was to move in before Christmas.", "move in", "goal"),
    ],
)
def test_purpose_and_intention_clauses_give_the_goal_phrase(text, phrase, kind):
    found = dict(goals(text))
    assert found[phrase].proposed_kind == kind


def test_existing_goal_code_is_matched_by_its_alias_lemmas():
    code = CodebookEntry(4, "Buy a home", "goal", aliases=("köpa bostad",))
    found = dict(goals("Vi ville köpa en bostad i stan.", codebook=[code], language="sv"))
    assert found["köpa en bostad i stan"].code_id == 4


def test_existing_goal_code_is_matched_by_embedding_similarity(embedder):
    code = CodebookEntry(5, "find a flat close to school", "sub_goal")
    found = dict(goals("We wanted to find a flat close to the school.", codebook=[code],
                       embedder=embedder))
    hit = found["find a flat close to the school"]
    assert hit.code_id == 5


def test_sentence_without_a_purpose_marker_gives_no_goal():
    assert goals("Vi pratade med banken i tisdags.", language="sv") == []
