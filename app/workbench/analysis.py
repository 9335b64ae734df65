"""Analysis pages of the workbench: retrieval of quotes, the matrices and inter-coder agreement."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date
from typing import Any

from flask import Response, abort, render_template, request, url_for
from sqlalchemy import select

from app.database import db_session
from app.projects.access import load_project
from app.security import login_required
from app.workbench import bp
from app.workbench.views import blind_mode, user_id
from coding.agreement_study import (
    agreement_for,
    coders_of,
    compare_source,
    differences,
    merge_pieces,
    shared_sources,
    uncoded_sources,
)
from coding.codebook import Code, code_paths, codes_of
from coding.kinds import CodeKind
from coding.matrices import Matrix, code_by_code, code_by_participant
from coding.retrieval import MODES, QuoteFilters, quote_rows, retrieve
from exports.spreadsheets import escape_cell
from research.errors import InvalidInput
from research.participants import AttributeDef, AttributeValue, Participant, participants_of
from research.sources import SourceKind, get_source, sources_of

PER_PAGE = 50
MATRIX_KINDS = {"participants": "Codes × participants", "attribute": "Codes × a participant attribute",
                "cooccurrence": "Codes × codes (co-occurrence)"}


def _int(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _ints(name: str) -> list[int]:
    return [int(v) for v in request.args.getlist(name) if v.strip().isdigit()]


def _kind(name: str = "source_kind") -> str | None:
    value = request.args.get(name, "")
    return value if value in {k.value for k in SourceKind} else None


def _coder(project_id: int) -> int | None:
    """The coder filter: in blind mode a coder counts only their own codings, whatever was asked."""
    if blind_mode(project_id):
        return user_id()
    return _int("coder")


def _attribute_filter() -> tuple[int | None, str | None]:
    """``av=<attribute id>:<value>`` (the form's one select) or ``attribute`` and ``value``."""
    combined = request.args.get("av", "")
    if ":" in combined:
        head, _, value = combined.partition(":")
        return (int(head), value or None) if head.isdigit() else (None, None)
    return _int("attribute"), request.args.get("value") or None


def _attribute_choices(project_id: int) -> list[tuple[str, str]]:
    """(``id:value``, "name = value") for every value a participant has, plus "name (any value)"."""
    db = db_session()
    rows = db.execute(
        select(AttributeDef.id, AttributeDef.name, AttributeValue.value)
        .join(AttributeValue, AttributeValue.attribute_id == AttributeDef.id)
        .where(AttributeDef.project_id == project_id).distinct().order_by(AttributeDef.name, AttributeValue.value)
    ).all()
    choices: list[tuple[str, str]] = []
    seen: set[int] = set()
    for attribute_id, name, value in rows:
        if attribute_id not in seen:
            seen.add(attribute_id)
            choices.append((f"{attribute_id}:", f"{name} (any value)"))
        choices.append((f"{attribute_id}:{value}", f"{name} = {value}"))
    return choices


def _common(project_id: int) -> dict[str, Any]:
    db = db_session()
    codes = codes_of(db, project_id)
    paths = code_paths(codes)
    return dict(
        code_choices=[(c.id, paths[c.id]) for c in sorted(codes, key=lambda c: paths[c.id].lower()) if not c.is_folder],
        blind=blind_mode(project_id),
        phase_choices=[(c.id, paths[c.id]) for c in codes if c.kind is CodeKind.PHASE and not c.is_folder],
        coders=coders_of(db, project_id), kinds=list(SourceKind),
    )


def _unknown_filters(project_id: int, code_ids: list[int], filters: QuoteFilters, known_codes: set[int],
                     known_sources: set[int]) -> list[str]:
    """What the query names that this project does not have (a stale link, a typed URL)."""
    db = db_session()
    missing = [f"No such code (id {c}) in this project." for c in code_ids if c not in known_codes]
    if filters.phase_code_id is not None and filters.phase_code_id not in known_codes:
        missing.append(f"No such phase code (id {filters.phase_code_id}) in this project.")
    if filters.source_id is not None and filters.source_id not in known_sources:
        missing.append(f"No such source (id {filters.source_id}) in this project.")
    if filters.participant_id is not None and db.scalar(select(Participant.id).where(
            Participant.project_id == project_id, Participant.id == filters.participant_id)) is None:
        missing.append(f"No such participant (id {filters.participant_id}) in this project.")
    return missing


@bp.get("/projects/<int:project_id>/retrieve")
@login_required
def retrieve_page(project_id: int) -> str | Response | tuple[str, int]:
    project, role = load_project(project_id)
    db = db_session()
    code_ids = _ints("code")
    mode = request.args.get("mode", "any")
    mode = mode if mode in MODES else "any"
    attribute_id, attribute_value = _attribute_filter()
    filters = QuoteFilters(participant_id=_int("participant"), attribute_id=attribute_id,
                           attribute_value=attribute_value, source_kind=_kind(), source_id=_int("source"),
                           phase_code_id=_int("phase"), coder_id=_coder(project.id))
    sources = sources_of(db, project.id)
    unknown = _unknown_filters(project.id, code_ids, filters, {c.id for c in codes_of(db, project.id)},
                               {s.id for s in sources})
    if request.args.get("format") == "csv":
        if unknown:
            abort(404, " ".join(unknown))
        if not code_ids:
            abort(400, "Choose one or more codes (parameter code).")
        return _csv(quote_rows(db, project_id=project.id, code_ids=code_ids, mode=mode, filters=filters),  # type: ignore[arg-type]
                    f"quotes-{_slug(project.name)}-{date.today().isoformat()}.csv")
    page = max(1, _int("page") or 1)
    result = retrieve(db, project_id=project.id, code_ids=code_ids, mode=mode, filters=filters,  # type: ignore[arg-type]
                      offset=(page - 1) * PER_PAGE, limit=PER_PAGE) if code_ids and not unknown else None
    args = {"code": code_ids, "mode": mode, **filters.query_args()}
    if "attribute" in args:
        args["av"] = f"{args.pop('attribute')}:{args.pop('value', '')}"
    html = render_template(
        "workbench/retrieve.html", project=project, role=role, result=result, selected=set(code_ids), mode=mode,
        filters=filters, page=page, per_page=PER_PAGE, args=args, participants=participants_of(db, project.id),
        attribute_choices=_attribute_choices(project.id), sources=sources, unknown=unknown,
        av=f"{attribute_id}:{attribute_value or ''}" if attribute_id is not None else "",
        csv_url=url_for("workbench.retrieve_page", project_id=project.id, format="csv", **args),
        **_common(project.id),
    )
    return (html, 404) if unknown else html


def _matrix(project_id: int) -> tuple[str, Matrix | None, dict[str, Any]]:
    db = db_session()
    kind = request.args.get("kind", "participants")
    kind = kind if kind in MATRIX_KINDS else "participants"
    attribute_id = _int("attribute")
    common = dict(code_ids=_ints("code") or None, source_kind=_kind(), coder_id=_coder(project_id))
    if kind == "cooccurrence":
        return kind, code_by_code(db, project_id=project_id, **common), common
    if kind == "attribute":
        if attribute_id is None:
            return kind, None, common
        return kind, code_by_participant(db, project_id=project_id, attribute_id=attribute_id, **common), common
    return kind, code_by_participant(db, project_id=project_id, **common), common


def cell_link(project_id: int, kind: str, code_id: int, column: int | str, filters: dict[str, Any],
              attribute_id: int | None) -> str:
    """The retrieval page with the quotes a matrix cell counts."""
    args: dict[str, Any] = {"source_kind": filters.get("source_kind"), "coder": filters.get("coder_id")}
    if kind == "cooccurrence":
        if column == code_id:
            args.update(code=[code_id], mode="any")
        else:
            args.update(code=[code_id, column], mode="all")
    elif kind == "attribute":
        args.update(code=[code_id], mode="any", av=f"{attribute_id}:{column}")
    else:
        args.update(code=[code_id], mode="any", participant=column)
    return url_for("workbench.retrieve_page", project_id=project_id,
                   **{k: v for k, v in args.items() if v not in (None, "")})


@bp.get("/projects/<int:project_id>/matrices")
@login_required
def matrices(project_id: int) -> str | Response:
    project, role = load_project(project_id)
    db = db_session()
    kind, matrix, filters = _matrix(project.id)
    attribute_id = _int("attribute")
    if request.args.get("format") == "csv":
        if matrix is None:
            abort(400)
        return _csv(matrix.as_rows(), f"matrix-{kind}.csv")
    attributes = list(db.scalars(select(AttributeDef).where(AttributeDef.project_id == project.id)
                                 .order_by(AttributeDef.name)))
    return render_template(
        "workbench/matrices.html", project=project, role=role, kind=kind, matrix_kinds=MATRIX_KINDS, matrix=matrix,
        attributes=attributes, attribute_id=attribute_id, filters=filters, selected=set(_ints("code")),
        link=lambda code_id, column: cell_link(project.id, kind, code_id, column, filters, attribute_id),
        csv_url=url_for("workbench.matrices", project_id=project.id, format="csv",
                        **request.args.to_dict(flat=False)),
        **_common(project.id),
    )


def _csv(rows: Any, filename: str) -> Response:
    """Rows as a UTF-8 CSV download (with a byte-order mark for spreadsheet programs), every
    text that a spreadsheet would run as a formula escaped; numbers keep their precision."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if v is None else escape_cell(v) for v in row])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _slug(text: str) -> str:
    """ASCII letters, digits and hyphens only: safe in a file name on any system."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-") or "x"


def _source_names(names: dict[int, str], ids: Any) -> str:
    return "; ".join(names.get(i, f"source {i}") for i in ids)


@bp.get("/projects/<int:project_id>/agreement")
@login_required
def agreement(project_id: int) -> str | Response:
    project, role = load_project(project_id)
    db = db_session()
    coders = coders_of(db, project.id)
    ids = [c.id for c in coders]
    coder_a = _int("a") if _int("a") in ids else (ids[0] if ids else None)
    coder_b = _int("b") if _int("b") in ids else next((i for i in ids if i != coder_a), None)
    report, error, chosen, shared = None, None, _ints("source"), []
    if coder_a is not None and coder_b is not None:
        shared = shared_sources(db, project.id, coder_a, coder_b)
        try:
            report = agreement_for(db, project_id=project.id, coder_a=coder_a, coder_b=coder_b,
                                   source_ids=chosen or None)
        except InvalidInput as exc:
            error = str(exc)
    codes = {c.id: c for c in codes_of(db, project.id)}
    paths = code_paths(list(codes.values()))
    names = {c.id: c.name for c in coders}
    sources = sources_of(db, project.id)
    source_names = {s.id: s.name for s in sources}
    if request.args.get("format") == "csv":
        if report is None:
            abort(400)
        name_a, name_b = names[report.coder_a], names[report.coder_b]
        return _csv(report.as_rows(paths, about=(name_a, name_b, _source_names(source_names, report.source_ids))),
                    f"agreement-{_slug(name_a)}-vs-{_slug(name_b)}-{date.today().isoformat()}.csv")
    # A coder with no coding in a compared source: every figure there compares against nothing.
    uncoded: dict[int, list[str]] = {}
    for who in () if report is None else (report.coder_a, report.coder_b):
        missing = [source_names.get(i, f"source {i}") for i in uncoded_sources(db, project.id, who, report.source_ids)]
        uncoded[who] = missing[:6] + ([f"{len(missing) - 6} more"] if len(missing) > 6 else [])
    return render_template(
        "workbench/agreement.html", project=project, role=role, coders=coders, coder_a=coder_a, coder_b=coder_b,
        report=report, error=error, chosen=set(chosen), shared=set(shared), sources=sources,
        paths=paths, names=names, codes=codes, uncoded=uncoded, source_names=source_names,
        csv_url=url_for("workbench.agreement", project_id=project.id, format="csv",
                        **request.args.to_dict(flat=False)),
    )


@bp.get("/projects/<int:project_id>/agreement/sources/<int:source_id>")
@login_required
def compare(project_id: int, source_id: int) -> str:
    project, role = load_project(project_id)
    db = db_session()
    coder_a, coder_b = _int("a"), _int("b")
    coders = {c.id: c for c in coders_of(db, project.id)}
    if coder_a not in coders or coder_b not in coders:
        abort(400, "Choose two coders of this project to compare (parameters a and b).")
    code_id = _int("code")
    pieces = merge_pieces(compare_source(db, project_id=project.id, source_id=source_id, coder_a=coder_a,
                                         coder_b=coder_b, code_id=code_id))
    source = get_source(db, project_id=project.id, source_id=source_id)
    codes: dict[int, Code] = {c.id: c for c in codes_of(db, project.id)}
    counts = {v: sum(len(p.text) for p in pieces if p.verdict == v) for v in ("both", "only_a", "only_b", "differ")}
    used = sorted({c for p in pieces for c in p.codes_a | p.codes_b}, key=lambda c: codes[c].name.lower())
    return render_template(
        "workbench/compare.html", project=project, role=role, source=source, pieces=pieces, codes=codes,
        coder_a=coders[coder_a], coder_b=coders[coder_b], code_id=code_id, counts=counts, used=used,
        differences=differences(pieces, source.text),
    )
