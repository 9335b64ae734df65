"""Fixtures for the exchange tests: the demo project, schema validation, the shared REFI material."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coding.codebook import Code
from coding.codings import Coding
from coding.demo.loader import _manifest, load_demo
from coding.memos import Memo
from exports.refi.model import SCHEMA_DIR
from exports.refi.writer import write_qdc, write_qdpx
from research.accounts import User
from research.db import transaction
from research.participants import Participant
from research.sources import Source
from tests.conftest import make_user

needs_corpus = pytest.mark.skipif(not os.environ.get("KUNDSTIG_CORPUS"),
                                  reason="KUNDSTIG_CORPUS is not set: the shared REFI samples are not available")


def refi_folder() -> Path:
    return Path(os.environ["KUNDSTIG_CORPUS"]).parent / "refi"


@pytest.fixture
def demo(session: Session) -> tuple[User, int]:
    owner = make_user(session, email="demo@kundstig.example", name="Demo researcher")
    with transaction(session):
        project = load_demo(session, owner=owner, manifest=_manifest())
    return owner, project.id


def qdpx_bytes(session: Session, project_id: int) -> bytes:
    buffer = io.BytesIO()
    write_qdpx(session, project_id, buffer)
    return buffer.getvalue()


def qdc_bytes(session: Session, project_id: int) -> bytes:
    buffer = io.BytesIO()
    write_qdc(session, project_id, buffer)
    return buffer.getvalue()


def project_xml(qdpx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        return archive.read("project.qde")


def schema_errors(document: bytes, schema: str) -> list[str]:
    xsd = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / schema)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    valid = xsd.validate(etree.fromstring(document, parser))
    return [] if valid else [f"{e.line}: {e.message}" for e in xsd.error_log]


def row_counts(session: Session) -> dict[str, int]:
    """How many rows of each kind the database holds, to prove a refused import changed nothing."""
    session.rollback()
    return {model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Code, Coding, Memo, Participant, Source)}
