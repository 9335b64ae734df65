import csv
import os
from pathlib import Path

import pytest

from coding.suggest.embedding import default_embedder
from coding.suggest.evaluation import evaluate, load_gold_survey
from coding.suggest.nordic_eval import nordic_report

from .support import HashEmbedder

HEADER = ["Comment ID", "FFT answer", "Comment sentiment", "Not assigned", "Parking",
          "Staff manner", "Labelling not possible"]
TOPICS = {"Parking": "no parking space car park full", "Staff manner": "kind nurse friendly staff"}


def write_survey(path: Path, rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            label = "Parking" if i % 2 else "Staff manner"
            words = TOPICS[label].split()
            text = " ".join(words[(i + k) % len(words)] for k in range(4))
            writer.writerow([i, text, "2", "", "1" if label == "Parking" else "",
                             "1" if label == "Staff manner" else "", ""])
        writer.writerow([rows, "ok", "1", "", "1", "", ""])
        writer.writerow([rows + 1, "No codes here", "3", "1", "", "", ""])


def test_gold_survey_keeps_coded_answers_and_code_columns_only(tmp_path):
    write_survey(tmp_path / "survey.csv", 10)
    answers = load_gold_survey(tmp_path / "survey.csv")
    assert len(answers) == 10
    assert {label for _, gold in answers for label in gold} == {"Parking", "Staff manner"}


def test_evaluation_reports_helper_and_baseline(tmp_path):
    write_survey(tmp_path / "survey.csv", 60)
    result = evaluate(load_gold_survey(tmp_path / "survey.csv"), 0.5, HashEmbedder())
    assert set(result) == {"coded", "answers", "micro_f1", "macro_f1", "p_at_1", "recall_at_3",
                           "baseline", "seconds"}
    assert set(result["baseline"]) == {"micro_f1", "macro_f1", "p_at_1", "recall_at_3"}
    assert result["p_at_1"] >= 0.9


def test_nordic_set_meets_the_recall_targets():
    report = nordic_report()["all"]
    assert report["excerpts"] >= 40
    assert report["actor_recall"] >= 0.9
    assert report["goal_recall"] >= 0.8


@pytest.mark.skipif(not os.environ.get("KUNDSTIG_CORPUS"), reason="needs KUNDSTIG_CORPUS")
def test_nhs_file_loads_with_its_code_columns():
    path = Path(os.environ["KUNDSTIG_CORPUS"]) / "nhs_fft_dev" / "nhs_fft_NHFT.csv"
    answers = load_gold_survey(path)
    assert len(answers) > 2000
    vectors = default_embedder().embed([text for text, _ in answers[:3]])
    assert vectors.shape[0] == 3
