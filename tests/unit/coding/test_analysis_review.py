"""Pure pieces behind the analysis pages' fixes: whole-word search queries, differences
widened to whole words, plain-word history lines and full-precision agreement rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coding.agreement import compare_coders
from coding.agreement_study import ComparedPiece, differences
from coding.autocode import whole_words_query
from coding.events import Event
from coding.history import Names, action_label, describe, plural
from coding.retrieval import shorten
from research.search import parse_query


@pytest.mark.parametrize(("typed", "expected"), [
    ("week", '"week"'), ("lån ränta", '"lån" "ränta"'), ('"två veckor" bank', '"två veckor" "bank"'),
    ("don't", '"don t"'), ('ab"c', '"ab c"'),
])  # fmt: skip
def test_whole_words_queries_quote_every_word_so_none_matches_longer_words(typed: str, expected: str) -> None:
    assert whole_words_query(typed) == expected
    assert all(not term.prefix for term in parse_query(whole_words_query(typed)))


def piece(text: str, start: int, end: int, a: set[int], b: set[int]) -> ComparedPiece:
    return ComparedPiece(start, end, text[start:end], frozenset(a), frozenset(b))


def test_a_difference_of_a_few_letters_is_shown_with_its_whole_word() -> None:
    text = "Vi ringde banken igår."
    pieces = [piece(text, 0, 10, set(), set()), piece(text, 10, 15, {1}, {1}), piece(text, 15, 16, {1}, set()),
              piece(text, 16, len(text), set(), set())]
    (found,) = differences(pieces, text)
    assert (found.lead, found.text, found.tail) == ("banke", "n", "")
    assert found.verdict == "only_a" and (found.start, found.end) == (15, 16)


def test_neighbouring_and_same_word_differences_become_one_entry() -> None:
    text = "Mamma hjälpte till med kontantinsatsen."
    pieces = [piece(text, 0, 2, {1}, set()), piece(text, 2, 4, {1}, {1}), piece(text, 4, 13, set(), {2}),
              piece(text, 13, 23, set(), set()), piece(text, 23, 27, {3}, set()), piece(text, 27, 39, set(), set())]
    first, second = differences(pieces, text)
    assert first.lead + first.text + first.tail == "Mamma hjälpte" and first.verdict == "differ"
    assert first.codes_a == {1} and first.codes_b == {2}
    assert second.lead + second.text + second.tail == "kontantinsatsen" and second.verdict == "only_a"


def names() -> Names:
    text = 'He said, "The others promised a week." Then left.'
    return Names({7: "Pris"}, {3: "Mässan"}, {3: text})


def event(action: str, before: dict | None = None, after: dict | None = None, object_id: int | None = 7) -> Event:
    return Event(id=1, project_id=1, user_id=1, at=datetime.now(UTC), action=action, object_type="",
                 object_id=object_id, before=before, after=after)


def test_quoted_words_that_bring_their_own_quotation_marks_are_not_quoted_twice() -> None:
    text = names().texts[3]
    start = text.index('"The')
    entry = describe(event("coding.add", after={"source_id": 3, "code_id": 7, "start": start,
                                                "end": text.index("Then") - 1}), "Anna", names())
    assert entry.summary == "coded “The others promised a week.” in Mässan with Pris"


@pytest.mark.parametrize(("action", "after", "before", "expected"), [
    ("code.merge", {"codings_moved": 1}, {"merged": {"name": "Kostnad"}}, "merged Kostnad into Pris (1 coding moved)"),
    ("code.merge", {"codings_moved": 3}, {"merged": {"name": "Kostnad"}}, "merged Kostnad into Pris (3 codings moved)"),
    ("code.split", {"codings_moved": 1, "new_name": "Avg"}, None, "split 1 coding off Pris into the new code Avg"),
    ("code.delete", None, {"name": "Pris", "codings": 1}, "deleted the code Pris with 1 coding"),
    ("member.add", {"role": "coder"}, None, "added a member"),
    ("source.import", {}, None, "imported a source"),
    ("coding.undo", {"undid": "coding.add"}, None, "undid their last change (coded a passage)"),
    ("memo.remove", None, {"target_type": "code", "target_id": 7, "text": "x"}, "deleted a memo on the code Pris"),
    ("something.new_thing", None, None, "something new thing"),
])  # fmt: skip
def test_history_lines_are_plain_words_with_proper_plurals(action, after, before, expected) -> None:
    assert describe(event(action, before, after), "Anna", names()).summary == expected


def test_every_label_is_words_not_an_action_name() -> None:
    assert action_label("memo.add") == "wrote a memo" and action_label("member.add") == "added a member"
    assert plural(1, "coding") == "1 coding" and plural("2", "coding") == "2 codings" and plural(0, "hit") == "0 hits"


def test_shortened_quotes_end_at_a_space_with_an_ellipsis() -> None:
    assert shorten("kort\ntext") == "kort text"
    long = "ord " * 60
    short = shorten(long, 40)
    assert len(short) <= 40 and short.endswith("ord…")


def test_agreement_rows_keep_full_precision_and_can_name_the_study() -> None:
    report = compare_coders({1: 997}, [(1, 5, 1, 0, 13), (2, 5, 1, 3, 29)], 1, 2)
    rows = report.as_rows({5: "Bank"}, about=("Anna", "Bo", "Intervju 1"))
    assert rows[0][-3:] == ("coder_a", "coder_b", "sources") and rows[1][-3:] == ("Anna", "Bo", "Intervju 1")
    assert rows[1][9] == report.codes[0].observed_disagreement and len(repr(rows[1][9])) > 8
    assert report.as_rows({5: "Bank"})[0][-1] == "expected_disagreement"  # without ``about``, as before
