import pytest

from research.segmenting import Span, parse_timestamp, segment, speakers


def texts(text: str, spans: list[Span]) -> list[str]:
    return [text[span.start : span.end] for span in spans]


def assert_well_formed(text: str, spans: list[Span]) -> None:
    previous_end = 0
    for span in spans:
        assert previous_end <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == text[span.start : span.end].strip()
        previous_end = span.end


def test_paragraphs_are_blocks_between_blank_lines_with_exact_offsets() -> None:
    text = "Första stycket\nfortsätter här.\n\n  Andra 😀 stycket  \n\n\nTredje: sista."
    spans = segment(text)
    assert texts(text, spans) == [
        "Första stycket\nfortsätter här.",
        "Andra 😀 stycket",
        "Tredje: sista.",
    ]
    assert [(s.start, s.end) for s in spans] == [(0, 30), (34, 49), (54, 68)]
    assert {s.kind for s in spans} == {"paragraph"}
    assert_well_formed(text, spans)


def test_a_text_without_blank_lines_has_one_paragraph_per_line_otherwise_blocks() -> None:
    text = "Rubrik\nEtt stycke om kundresan.\n  \nInte tom rad ovan."
    assert texts(text, segment(text)) == ["Rubrik\nEtt stycke om kundresan.", "Inte tom rad ovan."]
    text = "Rubrik\nEtt stycke om kundresan.\nSlut."
    assert texts(text, segment(text)) == ["Rubrik", "Ett stycke om kundresan.", "Slut."]


def test_offsets_count_code_points_for_emoji_and_composed_letters() -> None:
    text = "Anna: Jag 😀 älskar blåbär\nPer: Å nej\nAnna: Jo"
    spans = segment(text)
    assert texts(text, spans) == ["Jag 😀 älskar blåbär", "Å nej", "Jo"]
    assert (spans[0].start, spans[0].end) == (6, 25)


def test_a_transcript_with_named_speakers_becomes_turns() -> None:
    text = (
        "Intervju 3, Malmö\n\n"
        "Intervjuare: Hur hittade du oss?\n"
        "Åsa Öberg: Via en vän.\n"
        "Det var enkelt.\n\n"
        "Intervjuare:\n"
        "Och sen?\n"
        "Åsa Öberg: Jag ringde kl. 14:30, se https://example.se/kontakt"
    )
    spans = segment(text)
    assert [(s.kind, s.speaker) for s in spans] == [
        ("paragraph", None),
        ("turn", "Intervjuare"),
        ("turn", "Åsa Öberg"),
        ("turn", "Intervjuare"),
        ("turn", "Åsa Öberg"),
    ]
    assert texts(text, spans) == [
        "Intervju 3, Malmö",
        "Hur hittade du oss?",
        "Via en vän.\nDet var enkelt.",
        "Och sen?",
        "Jag ringde kl. 14:30, se https://example.se/kontakt",
    ]
    assert speakers(spans) == ["Intervjuare", "Åsa Öberg"]
    assert_well_formed(text, spans)


@pytest.mark.parametrize(
    ("line", "speaker", "timestamp_ms"),
    [
        ("[00:12:31] Anna: Hej där", "Anna", 751_000),
        ("(00:12:31) Anna: Hej där", "Anna", 751_000),
        ("00:12:31 Anna: Hej där", "Anna", 751_000),
        ("[12:31] Anna: Hej där", "Anna", 751_000),
        ("[00:12:31.5] Anna: Hej där", "Anna", 751_500),
        ("[1:02:03,25] Anna: Hej där", "Anna", 3_723_250),
        ("Anna [00:12:31]: Hej där", "Anna", 751_000),
        ("[Anna] Hej där", "Anna", None),
        ("[00:12:31] [Anna] Hej där", "Anna", 751_000),
        ("Anna Berg Lind: Hej där", "Anna Berg Lind", None),
        ("Respondent 2: Hej där", "Respondent 2", None),
        ("Élise: Hej där", "Élise", None),
        ("Ødegård: Hej där", "Ødegård", None),
    ],
)
def test_speaker_label_forms_give_speaker_timestamp_and_only_the_utterance(
    line: str, speaker: str, timestamp_ms: int | None
) -> None:
    text = f"{line}\nIntervjuare: Tack.\n{line}"
    spans = segment(text)
    assert [s.kind for s in spans] == ["turn"] * 3
    assert (spans[0].speaker, spans[0].timestamp_ms) == (speaker, timestamp_ms)
    assert texts(text, spans) == ["Hej där", "Tack.", "Hej där"]


@pytest.mark.parametrize(
    ("first", "second"),
    [("I", "R"), ("Q", "A"), ("Intervjuare", "Deltagare"), ("Intervjuer", "Informant")],
)
def test_role_labels_make_a_transcript_even_when_each_speaks_once(first: str, second: str) -> None:
    text = f"{first}: Hur mår du?\n{second}: Bra, tack."
    spans = segment(text)
    assert speakers(spans) == [first, second]
    assert texts(text, spans) == ["Hur mår du?", "Bra, tack."]


def test_the_qualcoder_style_bracketed_ids_become_turns() -> None:
    text = "[id1] hello there\n\n[id2] hi\n\n[id1] bye"
    spans = segment(text)
    assert speakers(spans) == ["id1", "id2"]
    assert texts(text, spans) == ["hello there", "hi", "bye"]


def test_narrative_with_a_note_a_clock_time_and_a_url_stays_paragraphs() -> None:
    text = (
        "Vi träffades kl. 14:30 på kontoret.\n"
        "Note: detta är en anteckning.\n"
        "Läs mer på https://example.se/a:b idag.\n"
        "Obs: ta med kaffe."
    )
    spans = segment(text)
    assert {s.kind for s in spans} == {"paragraph"}
    assert len(spans) == 4


def test_numbered_headings_that_each_occur_once_are_not_speakers() -> None:
    text = "Steg 1: gör något\n\nSteg 2: gör något mer\n\nSteg 3: klart"
    assert {s.kind for s in segment(text)} == {"paragraph"}


def test_a_note_line_inside_a_transcript_continues_the_previous_turn() -> None:
    text = "I: Hur var det?\nR: Bra.\nNote: ljudet bröts här.\nI: Okej."
    spans = segment(text)
    assert speakers(spans) == ["I", "R"]
    assert texts(text, spans) == ["Hur var det?", "Bra.\nNote: ljudet bröts här.", "Okej."]


def test_a_label_without_words_produces_no_empty_turn() -> None:
    text = "I: Hej\nR:\nI: Hallå?\nR: Ja"
    spans = segment(text)
    assert texts(text, spans) == ["Hej", "Hallå?", "Ja"]
    assert_well_formed(text, spans)


def test_empty_and_blank_text_have_no_spans() -> None:
    assert segment("") == []
    assert segment(" \n\n\t\n") == []


def test_speakers_keep_first_appearance_order() -> None:
    spans = [
        Span("turn", 0, 1, "B"),
        Span("paragraph", 2, 3),
        Span("turn", 4, 5, "A"),
        Span("turn", 6, 7, "B"),
    ]
    assert speakers(spans) == ["B", "A"]


@pytest.mark.parametrize(
    ("value", "millis"),
    [("00:00:01", 1000), ("12:31", 751_000), ("1:00:00.5", 3_600_500), ("00:00:01,250", 1250)],
)
def test_timestamps_convert_to_milliseconds(value: str, millis: int) -> None:
    assert parse_timestamp(value) == millis
