"""Benchmarks of the NLP helper (coding/suggest). Run: python -m bench.bench_nlp [--json]

With KUNDSTIG_CORPUS set, also the NHS survey evaluation at 10/20/50 % coded.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from coding.suggest.actors import ActorSuggester
from coding.suggest.embedding import Embedder, MemoEmbedder, default_embedder
from coding.suggest.emotion import EmotionSuggester
from coding.suggest.evaluation import evaluate, load_gold_survey
from coding.suggest.goals import GoalSuggester
from coding.suggest.learner import Learner
from coding.suggest.lexical import LexicalSuggester
from coding.suggest.nordic_eval import load_excerpts, nordic_report
from coding.suggest.phases import PhaseSuggester
from coding.suggest.pipeline import run_suggesters
from coding.suggest.types import CodebookEntry, SegmentInput, SuggestContext

NHS_FILE = Path("nhs_fft_dev") / "nhs_fft_NHFT.csv"


def transcript(words: int) -> list[SegmentInput]:
    """Segments of about `words` words, cycling the Nordic evaluation excerpts."""
    excerpts, _ = load_excerpts()
    texts = [e.segment.text for e in excerpts]
    segments, offset, count = [], 0, 0
    while count < words:
        text = " ".join(texts[len(segments) % len(texts)] for _ in range(3))
        segments.append(SegmentInput(len(segments), 1, offset, offset + len(text), text,
                                     excerpts[len(segments) % len(texts)].segment.language))
        offset += len(text) + 1
        count += len(text.split())
    return segments


def context(embedder: Embedder | None = None) -> SuggestContext:
    _, phases = load_excerpts()
    codebook = [CodebookEntry(1, "Bank", "actor"), CodebookEntry(2, "Buy a home", "goal"),
                CodebookEntry(3, "App", "channel"), CodebookEntry(4, "Waiting", "pain_point",
                                                                  description="long waits")]
    return SuggestContext(codebook=codebook, company_aliases=("Nordbo",), phases=phases,
                          embedder=embedder)


def interview_turns(n: int, low: int = 30, high: int = 120) -> list[str]:
    """Interview turns of `low`-`high` words (uniformly spread), cut from the Nordic
    evaluation excerpts, in the four languages."""
    excerpts, _ = load_excerpts()
    words = " ".join(e.segment.text for e in excerpts).split()
    rng = np.random.default_rng(5)
    turns = []
    for _ in range(n):
        length = int(rng.integers(low, high + 1))
        start = int(rng.integers(0, len(words) - length))
        turns.append(" ".join(words[start:start + length]))
    return turns


def survey_answers(n: int) -> list[str]:
    """Free-text survey answers: the NHS file's with KUNDSTIG_CORPUS set, else short
    answers of 3-30 words from the Nordic excerpts."""
    corpus = os.environ.get("KUNDSTIG_CORPUS")
    if corpus and (Path(corpus) / NHS_FILE).exists():
        return [text for text, _ in load_gold_survey(Path(corpus) / NHS_FILE)[:n]]
    return interview_turns(n, 3, 30)


def embedding_throughput(n: int = 200) -> dict[str, object]:
    """Segments per second of the default model on interview turns and survey answers."""
    embedder = default_embedder()
    embedder.embed(["warm up"])
    out: dict[str, object] = {}
    for label, texts in (("interview_turns_30_120_words", interview_turns(n)), ("survey_answers", survey_answers(n))):
        started, cpu = time.perf_counter(), time.process_time()
        embedder.embed(texts)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        out[label] = {"segments": n, "words_per_segment": round(sum(len(t.split()) for t in texts) / n, 1),
                      "segments_per_s": round(n / seconds, 1), "cpu_seconds": round(cpu_seconds, 2)}
    return out


def rule_throughput(words: int = 20_000) -> dict[str, float]:
    segments = transcript(words)
    ctx = context()
    suggesters = [ActorSuggester(), GoalSuggester(), PhaseSuggester(), LexicalSuggester(),
                  EmotionSuggester()]
    run_suggesters(segments[:5], ctx, suggesters)  # lemmatiser tables load once
    started = time.perf_counter()
    run_suggesters(segments, ctx, suggesters)
    seconds = time.perf_counter() - started
    total = sum(len(s.text.split()) for s in segments)
    return {"words": total, "words_per_s": round(total / seconds)}


def transcript_with_stored_vectors(words: int = 10_000) -> dict[str, float]:
    """All suggesters (learner included) on a 10k-word transcript whose vectors are stored."""
    segments = transcript(words)
    embedder = default_embedder()
    vectors = embedder.embed([s.text for s in segments])
    ctx = context(MemoEmbedder(embedder))
    ctx.segment_vectors = {s.id: v for s, v in zip(segments, vectors, strict=True)}
    ctx.learner = Learner().fit([(v, 1 + i % 3, True) for i, v in enumerate(vectors)])
    run_suggesters(segments[:2], ctx)
    started = time.perf_counter()
    found = run_suggesters(segments, ctx)
    seconds = time.perf_counter() - started
    single = []
    for segment in segments[:40]:
        began = time.perf_counter()
        run_suggesters([segment], ctx)
        single.append(time.perf_counter() - began)
    return {"words": sum(len(s.text.split()) for s in segments), "segments": len(segments),
            "suggestions": len(found), "seconds": round(seconds, 2),
            "one_selection_p95_ms": round(float(np.percentile(single, 95)) * 1000, 1)}


def retraining(decisions: int = 5_000, codes: int = 40) -> dict[str, float]:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(decisions, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = rng.integers(0, codes, decisions)
    examples = [(v, int(c), bool(rng.random() > 0.1)) for v, c in zip(vectors, labels, strict=True)]
    started = time.perf_counter()
    Learner().fit(examples)
    return {"decisions": decisions, "codes": codes, "seconds": round(time.perf_counter() - started, 2)}


def nhs_evaluation(shares: tuple[float, ...] = (0.1, 0.2, 0.5)) -> list[dict[str, object]]:
    corpus = os.environ.get("KUNDSTIG_CORPUS")
    if not corpus:
        return []
    answers = load_gold_survey(Path(corpus) / NHS_FILE)
    embedder = MemoEmbedder(default_embedder())
    return [evaluate(answers, share, embedder) for share in shares]


def main() -> None:
    results = {
        "embedding": embedding_throughput(),
        "rules": rule_throughput(),
        "transcript_10k": transcript_with_stored_vectors(),
        "retrain_5000": retraining(),
        "nordic": nordic_report()["all"],
        "nhs": nhs_evaluation(),
    }
    if "--json" in sys.argv:
        print(json.dumps(results, indent=2))
        return
    print(f"{'benchmark':<16} result")
    for name, value in results.items():
        rows = value if isinstance(value, list) else [value]
        for row in rows:
            print(f"{name:<16} {json.dumps(row)}")


if __name__ == "__main__":
    main()
