"""The flat span sweep of the document view, and turn labels, on multilingual text."""

from __future__ import annotations

import itertools
import unicodedata

from coding.document import Block, Piece, bidi_control_cuts, is_turn_prefix, layout, sweep

TEXT = "Vi köpte vårt första hem 🏡 i Tromsø – Ærlig talt var A\u030angström-lånet dyrt."


def covered(pieces: list[Piece], coding_id: int) -> str:
    return "".join(TEXT[p.start:p.end] for p in pieces if coding_id in p.codings)


def span(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def test_pieces_cover_the_whole_text_in_order_without_gaps():
    pieces = sweep(len(TEXT), [(1, *span("första hem 🏡")), (2, *span("🏡 i Tromsø"))])
    assert pieces[0].start == 0 and pieces[-1].end == len(TEXT)
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
    assert "".join(TEXT[p.start:p.end] for p in pieces) == TEXT


def test_every_coding_covers_exactly_its_own_text_even_after_an_emoji_and_a_combining_ring():
    phrases = {1: "första hem 🏡", 2: "🏡 i Tromsø", 3: "Ærlig", 4: "A\u030angström-lånet", 5: "ö"}
    pieces = sweep(len(TEXT), [(i, *span(p)) for i, p in phrases.items()])
    for coding_id, phrase in phrases.items():
        assert covered(pieces, coding_id) == phrase


def test_a_piece_covered_by_two_codings_lists_the_outer_one_first():
    pieces = sweep(len(TEXT), [(7, *span("vårt första hem")), (8, *span("första"))])
    inner = next(p for p in pieces if TEXT[p.start:p.end] == "första")
    assert inner.codings == (7, 8)


def test_the_sweep_does_not_depend_on_the_order_codings_arrive_in():
    spans = [(1, *span("köpte vårt")), (2, *span("vårt första")), (3, *span("första hem 🏡 i")), (4, *span("hem"))]
    expected = [(p.start, p.end, set(p.codings)) for p in sweep(len(TEXT), spans)]
    for order in itertools.permutations(spans):
        assert [(p.start, p.end, set(p.codings)) for p in sweep(len(TEXT), order)] == expected


def test_identical_and_touching_spans_make_no_empty_pieces():
    pieces = sweep(len(TEXT), [(1, 0, 2), (2, 0, 2), (3, 2, 5)], cuts=[2, 2, 0, len(TEXT)])
    assert all(p.end > p.start for p in pieces)
    assert pieces[0] == Piece(0, 2, (1, 2)) and pieces[1] == Piece(2, 5, (3,))


def test_spans_reaching_outside_the_text_are_clipped_and_empty_ones_ignored():
    pieces = sweep(10, [(1, -3, 4), (2, 8, 40), (3, 5, 5)])
    assert [(p.start, p.end, p.codings) for p in pieces] == [(0, 4, (1,)), (4, 8, ()), (8, 10, (2,))]


def test_an_empty_text_has_no_pieces():
    assert sweep(0, [(1, 0, 0)]) == []


def test_the_text_is_nfc_so_a_decomposed_letter_counts_two_code_points():
    decomposed = "A\u030a"
    assert len(decomposed) == 2 and unicodedata.normalize("NFC", decomposed) == "Å"


def test_turn_labels_with_timestamps_are_recognised_but_real_text_is_not():
    assert is_turn_prefix("\n\n[00:00:14] Åsa: ", "Åsa")
    assert is_turn_prefix("(01:02) Intervjuare:", "Intervjuare")
    assert is_turn_prefix("Åsa 00:12:01: ", "Åsa")
    assert not is_turn_prefix("Anteckning: lokalen var full.\n", "Åsa")


class FakeSegment:
    def __init__(self, id, kind, start, end, speaker=None, timestamp_ms=None, participant_id=None):
        self.id, self.kind, self.start, self.end = id, kind, start, end
        self.speaker, self.timestamp_ms, self.participant_id = speaker, timestamp_ms, participant_id


def test_layout_puts_each_piece_in_its_turn_and_keeps_text_outside_turns_as_paragraphs():
    text = "Rubrik\n\n[00:01:05] Åsa: Hej 👋 där.\n\n[00:01:09] Bo: Tjänare."
    first = text.index("Hej")
    second = text.index("Tjänare")
    segments = [FakeSegment(1, "turn", first, first + len("Hej 👋 där."), "Åsa", 65000),
                FakeSegment(2, "turn", second, len(text), "Bo", 69000)]
    pieces = sweep(len(text), [(9, first + 4, second + 3)], [first, first + 10, second, len(text)])
    blocks = layout(text, segments, pieces)
    assert [(b.kind, text[b.start:b.end]) for b in blocks] == [
        ("text", "Rubrik"), ("turn", "Hej 👋 där."), ("turn", "Tjänare.")]
    assert blocks[1].timestamp == "00:01:05" and blocks[1].speaker == "Åsa"
    assert isinstance(blocks[1], Block)
    in_turns = ["".join(text[p.start:p.end] for p in b.pieces if 9 in p.codings) for b in blocks[1:]]
    assert in_turns == ["👋 där.", "Tjä"]


def test_a_source_without_segments_is_shown_as_paragraphs():
    text = "Första stycket.\nSamma stycke.\n\n\nAndra stycket, på två\nrader."
    blocks = layout(text, [], sweep(len(text), []))
    assert [text[b.start:b.end] for b in blocks] == ["Första stycket.\nSamma stycke.", "Andra stycket, på två\nrader."]


def test_every_bidi_control_is_a_piece_of_its_own_and_codings_over_it_keep_their_text():
    text = "abc\u202edef ghi \u2067\u2069x\u200f"
    ghi = text.index("ghi")
    pieces = sweep(len(text), [(1, 2, ghi + 3), (2, ghi, ghi + 3)], bidi_control_cuts(text))
    assert [text[p.start:p.end] for p in pieces] == ["ab", "c", "\u202e", "def ", "ghi", " ", "\u2067", "\u2069", "x",
                                                     "\u200f"]
    assert "".join(text[p.start:p.end] for p in pieces if 1 in p.codings) == "c\u202edef ghi"
    assert "".join(text[p.start:p.end] for p in pieces if 2 in p.codings) == "ghi"
    assert bidi_control_cuts("No controls: a zero-width joiner \u200d, Ærø 🏠, &#x202e;") == []
