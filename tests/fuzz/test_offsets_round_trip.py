"""Offsets survive segmenting: slicing the text with a segment's offsets gives back exactly
what was written, in code points, whatever the Unicode (combining marks, emoji, Nordic
letters), and nothing that was written falls outside every segment."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from research.segmenting import segment
from research.text import normalise
from tests.fuzz.budget import FUZZ

SPEAKERS = ["I", "Åsa", "Ærlig Æsa"]
LETTERS = [*"abcåäöøæéÅÄÖØÆ🏠", "e\u0301", "A\u030a"]  # the last two are combining sequences
WORD = st.lists(st.sampled_from(LETTERS), min_size=1, max_size=12).map("".join)
SENTENCE = st.lists(WORD, min_size=1, max_size=12).map(lambda words: " ".join(words) + ".")
PROSE = st.lists(st.sampled_from([*"abc åäöø\n\t\r.,!?🏠", "e\u0301"]), max_size=300).map("".join)


@FUZZ
@given(SENTENCE, st.lists(st.tuples(st.sampled_from(SPEAKERS), SENTENCE), min_size=5, max_size=9),
       st.sampled_from(["\n", "\n\n"]))
def test_each_turn_sliced_from_the_transcript_is_the_utterance_its_speaker_said(question, answers, separator):
    """An interview opens with the interviewer ("I", a role label); then anyone may speak."""
    turns = [("I", question), *answers]
    text = normalise(separator.join(f"{speaker}: {utterance}" for speaker, utterance in turns))
    spans = segment(text)
    assert [(s.kind, s.speaker, text[s.start:s.end]) for s in spans] == [
        ("turn", speaker, normalise(utterance)) for speaker, utterance in turns]


@FUZZ
@given(PROSE)
def test_paragraphs_keep_every_character_that_is_not_whitespace(raw):
    text = normalise(raw.replace(":", ""))
    pieces = "".join(text[s.start:s.end] for s in segment(text))
    assert "".join(pieces.split()) == "".join(text.split())


@FUZZ
@given(st.lists(SENTENCE, min_size=1, max_size=6))
def test_paragraph_offsets_count_code_points_not_bytes_or_utf16_units(paragraphs):
    text = normalise("\n\n".join(paragraphs))
    expected, position = [], 0
    for paragraph in map(normalise, paragraphs):
        expected.append((position, position + len(paragraph)))
        position += len(paragraph) + 2
    assert [(s.start, s.end) for s in segment(text)] == expected
