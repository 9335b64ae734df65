"""Small pieces every ingest view needs."""

from __future__ import annotations

from flask import current_app, request

from app.security import current_user
from research.parsers import PdfLimits

DEFAULT_JOB_BYTES = 2 * 1024 * 1024


def user_id() -> int:
    user = current_user()
    assert user is not None
    return user.id


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def job_threshold() -> int:
    """Files larger than this are imported by a background job."""
    return int(current_app.config.get("KUNDSTIG_INGEST_JOB_BYTES", DEFAULT_JOB_BYTES))


def pdf_limits() -> PdfLimits:
    limits = current_app.config.get("KUNDSTIG_PDF_LIMITS")
    return limits if isinstance(limits, PdfLimits) else PdfLimits()


def max_upload_bytes() -> int:
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
