"""Evaluation on a survey whose answers carry gold codes (the NHS "FFT" file format).

A simulated researcher codes the first share of answers (file order, as a researcher
who starts at the top); the helper learns from those codings and predicts codes for the
rest. Both the helper and a TF-IDF + logistic-regression baseline predict every label
whose probability passes a threshold tuned only on the coded share (by 3-fold
cross-validation there), and at least their top label.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.sparse import spmatrix
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from coding.suggest.embedding import Embedder
from coding.suggest.learner import Learner

TEXT_COLUMN = "FFT answer"
FIRST_CODE_COLUMN_AFTER = "Comment sentiment"
NOT_CODES = frozenset({"Not assigned", "Labelling not possible", "Comment sentiment"})
MIN_ANSWER = 3
_FOLDS = 3
_THRESHOLDS = np.arange(0.05, 0.9, 0.025)
# Helper features: embedding (weighted) next to a 100-dimensional SVD of the coded
# share's TF-IDF, which adds the survey's own vocabulary to the embedding.
_EMBEDDING_WEIGHT = 4.0
_SVD_DIMS = 100
_HELPER_C = 30.0
_BASELINE_C = 10.0

Answer = tuple[str, set[str]]
FitPredict = Callable[[list[int], list[int]], np.ndarray]


def load_gold_survey(path: str | Path) -> list[Answer]:
    """(text, gold labels) per answer; code columns hold 1 or nothing."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        header = reader.fieldnames or []
    codes = _code_columns(header, rows)
    answers = []
    for row in rows:
        text = (row.get(TEXT_COLUMN) or "").strip()
        labels = {code for code in codes if (row.get(code) or "").strip() == "1"}
        if len(text) >= MIN_ANSWER and labels:
            answers.append((text, labels))
    return answers


def _code_columns(header: list[str], rows: list[dict[str, str]]) -> list[str]:
    """The category columns after the metadata: every value is 1 or empty."""
    start = header.index(FIRST_CODE_COLUMN_AFTER) + 1 if FIRST_CODE_COLUMN_AFTER in header else 0
    return [
        column for column in header[start:]
        if column not in NOT_CODES
        and all((row.get(column) or "").strip() in {"", "1"} for row in rows)
    ]


def evaluate(answers: list[Answer], coded_share: float, embedder: Embedder) -> dict[str, object]:
    """Micro/macro F1, precision@1 and recall@3 on the uncoded answers, helper and baseline."""
    started = time.perf_counter()
    coded = max(_FOLDS, int(len(answers) * coded_share))
    texts = [text for text, _ in answers]
    labels = sorted({label for _, gold in answers[:coded] for label in gold})
    y = np.array([[label in gold for label in labels] for _, gold in answers], dtype=np.int8)
    train, test = list(range(coded)), list(range(coded, len(answers)))
    gold = [answers[i][1] for i in test]

    vectors = embedder.embed(texts)
    helper = _report(_predict_with_threshold(_helper(texts, vectors, y, coded), train, test, y),
                     labels, gold)
    baseline = _report(_predict_with_threshold(_baseline(texts, y), train, test, y), labels, gold)
    return {"coded": coded_share, "answers": len(answers), **helper, "baseline": baseline,
            "seconds": round(time.perf_counter() - started, 2)}


def _helper(texts: list[str], vectors: np.ndarray, y: np.ndarray, coded: int) -> FitPredict:
    def fit_predict(train: list[int], test: list[int]) -> np.ndarray:
        tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        train_tfidf = tfidf.fit_transform([texts[i] for i in train])
        dims = min(_SVD_DIMS, train_tfidf.shape[0] - 1, train_tfidf.shape[1] - 1)
        svd = TruncatedSVD(dims, random_state=0).fit(train_tfidf)

        def features(rows: list[int]) -> np.ndarray:
            reduced = svd.transform(tfidf.transform([texts[i] for i in rows]))
            return np.hstack([vectors[rows] * _EMBEDDING_WEIGHT, reduced]).astype(np.float32)

        train_x = features(train)
        examples = [(train_x[k], j, True) for k, i in enumerate(train) for j in np.flatnonzero(y[i])]
        examples += [(train_x[k], -1, False) for k, i in enumerate(train) if not y[i].any()]
        learner = Learner(min_examples=1, c=_HELPER_C, tol=1e-4).fit(examples)
        return _matrix(learner.predict(features(test)), y.shape[1])

    return fit_predict


def _baseline(texts: list[str], y: np.ndarray) -> FitPredict:
    def fit_predict(train: list[int], test: list[int]) -> np.ndarray:
        tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        train_x = tfidf.fit_transform([texts[i] for i in train])
        return _one_vs_rest(train_x, y[train], tfidf.transform([texts[i] for i in test]))

    return fit_predict


def _one_vs_rest(train_x: spmatrix, train_y: np.ndarray, test_x: spmatrix) -> np.ndarray:
    out = np.zeros((test_x.shape[0], train_y.shape[1]))
    for j in range(train_y.shape[1]):
        column = train_y[:, j]
        if 0 < column.sum() < len(column):
            model = LogisticRegression(C=_BASELINE_C, max_iter=1000).fit(train_x, column)
            out[:, j] = model.predict_proba(test_x)[:, 1]
        elif column.sum():
            out[:, j] = 1.0
    return out


def _matrix(ranked: list[list[tuple[int, float]]], width: int) -> np.ndarray:
    out = np.zeros((len(ranked), width))
    for row, pairs in enumerate(ranked):
        for column, probability in pairs:
            if column >= 0:
                out[row, column] = probability
    return out


def _predict_with_threshold(
    fit_predict: FitPredict, train: list[int], test: list[int], y: np.ndarray
) -> np.ndarray:
    """Probabilities for `test` and the label sets passing the threshold tuned on `train`."""
    out_of_fold = np.zeros((len(train), y.shape[1]))
    folds = np.array_split(np.arange(len(train)), _FOLDS)
    for fold in folds:
        held = set(fold.tolist())
        rest = [train[k] for k in range(len(train)) if k not in held]
        out_of_fold[fold] = fit_predict(rest, [train[k] for k in fold])
    gold = y[train].astype(bool)
    best = max(_THRESHOLDS, key=lambda t: _micro_f1(_chosen(out_of_fold, t), gold))
    probabilities = fit_predict(train, test)
    return np.where(_chosen(probabilities, best), probabilities, 0.0) + probabilities * 1e-9


def _chosen(probabilities: np.ndarray, threshold: float) -> np.ndarray:
    chosen = probabilities >= threshold
    chosen[np.arange(len(probabilities)), probabilities.argmax(axis=1)] = True
    return chosen


def _micro_f1(predicted: np.ndarray, gold: np.ndarray) -> float:
    tp = float((predicted & gold).sum())
    return 2 * tp / max(1.0, float(predicted.sum() + gold.sum()))


def _report(scored: np.ndarray, labels: list[str], gold: list[set[str]]) -> dict[str, float]:
    """`scored`: zero for labels not predicted, else the probability (ranks stay intact)."""
    predicted = [{labels[j] for j in np.flatnonzero(row >= 1e-6)} for row in scored]
    ranking = [[labels[j] for j in np.argsort(-row)] for row in scored]
    tp = sum(len(p & g) for p, g in zip(predicted, gold, strict=True))
    size = sum(len(p) for p in predicted) + sum(len(g) for g in gold)
    per_label = []
    for label in sorted({label for g in gold for label in g}):
        hit = sum(label in p and label in g for p, g in zip(predicted, gold, strict=True))
        both = sum(label in p for p in predicted) + sum(label in g for g in gold)
        per_label.append(2 * hit / both if both else 0.0)
    return {
        "micro_f1": round(2 * tp / size, 4) if size else 0.0,
        "macro_f1": round(float(np.mean(per_label)), 4) if per_label else 0.0,
        "p_at_1": round(float(np.mean([r[0] in g for r, g in zip(ranking, gold, strict=True)])), 4),
        "recall_at_3": round(float(np.mean(
            [len(set(r[:3]) & g) / len(g) for r, g in zip(ranking, gold, strict=True)])), 4),
    }
