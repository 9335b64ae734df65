"""The ``export.file`` job: write the project in one outside format and keep the file."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy.orm import Session

from exports.formats import export_format, export_table, file_name
from research.jobs import Job, JobFile, Report


def export_file(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Write the format (and, for CSV, the table) in ``job.params``; progress between parts."""
    assert job.project_id is not None
    fmt = export_format(job.params.get("format"))
    table = export_table(fmt, job.params.get("table"))
    report(0, 1, f"Writing the {fmt.label}")

    def progress(done: int, total: int, message: str) -> None:
        report(done, total + 1, message)

    buffer = io.BytesIO()
    counts = fmt.write(session, job.project_id, buffer, table, progress)
    name = file_name(fmt, job.project_id, table, job.created_at.strftime("%Y%m%d-%H%M"))
    session.merge(JobFile(job_id=job.id, name=name, media_type=fmt.media_type, data=buffer.getvalue()))
    report(1, 1, f"{name} written")
    return {"format": fmt.key, "table": table, "counts": counts, "size": len(buffer.getvalue())}
