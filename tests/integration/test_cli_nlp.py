"""`kundstig suggest` and `kundstig eval survey` as a researcher runs them."""

from __future__ import annotations

import csv
import json

from coding.demo.loader import _manifest, load_demo
from research.db import transaction
from tests.conftest import make_user

CATEGORIES = ["Staff manner & personal attributes", "Timeliness of care", "Parking"]
ANSWERS = {
    "Staff manner & personal attributes": ["The nurses were kind and listened to me", "Friendly and caring staff",
                                           "The doctor was rude and dismissive", "Lovely helpful receptionist"],
    "Timeliness of care": ["I waited three hours to be seen", "Long wait for an appointment",
                           "Seen quickly and on time", "The wait was far too long"],
    "Parking": ["There was nowhere to park the car", "Parking is expensive and full",
                "Could not find a parking space", "The car park was closed"],
}


def test_suggest_runs_the_rule_based_helper_and_prints_json_lines(kundstig, session, monkeypatch):
    monkeypatch.setenv("KUNDSTIG_EMBEDDING_MODEL", "none")
    owner = make_user(session, "owner@example.org")
    with transaction(session):
        project = load_demo(session, owner=owner, manifest=_manifest())
    code, out = kundstig("suggest", str(project.id), "--wait", "--json")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(lines) > 50
    assert {"start", "end", "text", "kind", "score", "rationale"} <= set(lines[0])
    assert any("mäklar" in line["text"].lower() for line in lines)


def test_eval_survey_prints_the_issue_s_json_shape(kundstig, tmp_path):
    path = tmp_path / "gold.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Comment ID", "FFT answer", "Not assigned", *CATEGORIES])
        row = 0
        for _ in range(3):
            for category, texts in ANSWERS.items():
                for text in texts:
                    row += 1
                    writer.writerow([row, text, "", *["1" if c == category else "" for c in CATEGORIES]])
    code, out = kundstig("eval", "survey", str(path), "--coded", "0.5", "--json")
    assert code == 0, out
    report = json.loads(out.splitlines()[0])
    assert report["coded"] == 0.5 and report["answers"] == 36
    assert set(report["baseline"]) >= {"micro_f1", "macro_f1", "p_at_1", "recall_at_3"}
    assert 0 <= report["p_at_1"] <= 1 and report["seconds"] >= 0
