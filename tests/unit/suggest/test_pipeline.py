from coding.suggest.pipeline import default_suggesters, run_suggesters
from coding.suggest.types import CodebookEntry, SuggestContext

from .support import segments_of, source_text

CODEBOOK = [CodebookEntry(1, "Mäklare", "actor", aliases=("mäklaren", "mäklare"))]


def test_pipeline_merges_suggesters_and_keeps_one_per_span_and_code():
    segments = segments_of("Vi ville köpa en bostad, så vi ringde mäklaren. Det var krångligt.",
                           language="sv")
    ctx = SuggestContext(codebook=CODEBOOK, phases=[(1, "Köp", "Kunden köper")])
    found = run_suggesters(segments, ctx)
    keys = [(s.start, s.end, s.code_id, s.proposed_kind, s.proposed_name) for s in found]
    assert len(keys) == len(set(keys))
    source = source_text(segments)
    assert {"mäklaren", "köpa en bostad"} <= {source[s.start:s.end] for s in found}
    assert {s.suggester for s in found} >= {"actors", "goals", "lexical", "emotion"}


def test_pipeline_never_proposes_an_existing_coding_and_reruns_are_identical():
    segments = segments_of("Vi ringde mäklaren.", language="sv")
    ctx = SuggestContext(codebook=CODEBOOK)
    first = run_suggesters(segments, ctx)
    (hit,) = [s for s in first if s.code_id == 1]
    assert run_suggesters(segments, ctx) == first
    again = run_suggesters(segments, ctx, existing={(hit.start, hit.end, 1)})
    assert all(s.code_id != 1 for s in again)


def test_every_default_suggester_has_a_name_and_version():
    names = [s.name for s in default_suggesters()]
    assert len(names) == len(set(names))
    assert all(s.version for s in default_suggesters())
