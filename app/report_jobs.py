"""The ``export.report`` job: build the report a researcher asked for and keep the file."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy.orm import Session

from exports.report import FORMATS, build_report, parse_request, write_report
from research.jobs import Job, JobFile, Report


def export_report(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Build the report the researcher asked for (sections, filters, format) and keep the file."""
    assert job.project_id is not None
    wanted = parse_request(job.params.get("sections"), job.params.get("filters"), job.params.get("format"))
    steps = len(wanted.sections) + 2
    built = build_report(session, job.project_id, sections=wanted.sections, filters=wanted.filters,
                         progress=lambda done, _total, message: report(done, steps, message))
    report(steps - 1, steps, f"Writing the {wanted.format.upper()} file")
    buffer = io.BytesIO()
    write_report(built, wanted.format, buffer)
    extension, media_type = FORMATS[wanted.format]
    stamp = job.created_at.strftime("%Y%m%d-%H%M")
    session.merge(JobFile(job_id=job.id, name=f"kundstig-report-{job.project_id}-{stamp}.{extension}",
                          media_type=media_type, data=buffer.getvalue()))
    report(steps, steps, "Report written")
    return {"format": wanted.format, "sections": list(wanted.sections), "quotes": len(built.quotes()),
            "size": len(buffer.getvalue())}
