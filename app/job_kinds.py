"""Which function runs each kind of background job. Bodies are domain code;
this table is the only place the queue learns about them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from exports.backup import backup_bytes
from research.jobs import Job, JobFile, Report


def project_backup(session: Session, job: Job, report: Report) -> dict[str, Any]:
    assert job.project_id is not None
    data, counts = backup_bytes(session, job.project_id, report)
    stamp = job.created_at.strftime("%Y%m%d-%H%M")
    session.merge(JobFile(job_id=job.id, name=f"kundstig-project-{job.project_id}-{stamp}.zip",
                          media_type="application/zip", data=data))
    report(1, 1, "Archive written")
    return {"counts": counts, "size": len(data)}


JOB_KINDS = {"project.backup": project_backup}
