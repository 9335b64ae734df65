"""Which function runs each kind of background job. Bodies are domain code;
this table is the only place the queue learns about them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app import export_jobs, nlp_jobs, report_jobs
from exports.backup import backup_bytes
from research.ingest import ImportOptions, import_staged, observation_details, parse_kind
from research.jobs import Job, JobFile, Report
from research.projects import Role


def project_backup(session: Session, job: Job, report: Report) -> dict[str, Any]:
    assert job.project_id is not None
    data, counts = backup_bytes(session, job.project_id, report)
    stamp = job.created_at.strftime("%Y%m%d-%H%M")
    session.merge(JobFile(job_id=job.id, name=f"kundstig-project-{job.project_id}-{stamp}.zip",
                          media_type="application/zip", data=data))
    report(1, 1, "Archive written")
    return {"counts": counts, "size": len(data)}


def ingest_document(session: Session, job: Job, report: Report) -> dict[str, Any]:
    """Import one large uploaded document (staged by the upload page, the API or the CLI)."""
    assert job.project_id is not None
    kind = parse_kind(job.params.get("source_kind"))
    options = ImportOptions(kind=kind, details=observation_details(job.params.get("details") or {}))
    result = import_staged(session, project_id=job.project_id, user_id=job.user_id,
                           upload_id=int(job.params["upload_id"]), options=options, report=report)
    report(1, 1, f"{result.name}: {result.status}")
    return result.to_json()


JOB_KINDS = {
    "project.backup": project_backup,
    "ingest.document": ingest_document,
    "nlp.suggest": nlp_jobs.suggest,
    "export.report": report_jobs.export_report,
    "export.file": export_jobs.export_file,
}
# Who may download a job's file: whoever may read the data it holds (owners unless listed).
# A backup is owners' only: it carries the pseudonymisation keys.
DOWNLOAD_ROLES = {"export.report": Role.VIEWER, "export.file": Role.VIEWER}


def download_role(kind: str) -> Role:
    return DOWNLOAD_ROLES.get(kind, Role.OWNER)
