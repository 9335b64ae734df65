"""REFI-QDA export then import is the identity on what researchers see, for generated
small projects full of Unicode: code names, source texts (combining marks, emoji, Nordic
letters, line breaks) and codings, whose offsets must land on the same characters
(both databases)."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from coding.codebook import Code, CodeKind, create_code
from coding.codings import Coding, add_coding
from exports.refi.importer import import_file
from exports.refi.writer import write_qdpx
from research.db import transaction
from research.projects import create_project
from research.segmenting import segment
from research.sources import Source, SourceKind, add_source
from research.text import normalise
from tests.fuzz.budget import FUZZ_DATABASE
from tests.fuzz.seeded import owner

CHARACTERS = [*"abcåäöøæÅÄÖØÆ ,.!?-–’\"<>&🏠🙂", "e\u0301", "\n", "\n\n"]
TEXT = st.lists(st.sampled_from(CHARACTERS), min_size=1, max_size=200).map(lambda t: normalise("".join(t)).strip())
NAME = st.lists(st.sampled_from([*"abcåäöøæÅÆ🏠&<>\"' ", "e\u0301"]), min_size=1, max_size=20).map(
    lambda t: normalise("".join(t)).strip())


@st.composite
def small_projects(draw: st.DrawFn) -> tuple[list[str], list[str], list[tuple[int, int, int, int]]]:
    """Code names, source texts, and codings as (source index, code index, start, end)."""
    codes = draw(st.lists(NAME.filter(bool), min_size=1, max_size=4, unique=True))
    texts = draw(st.lists(TEXT.filter(bool), min_size=1, max_size=3, unique=True))  # a copy is refused
    codings = []
    for _ in range(draw(st.integers(0, 6))):
        source = draw(st.integers(0, len(texts) - 1))
        start = draw(st.integers(0, len(texts[source]) - 1))
        end = draw(st.integers(start + 1, len(texts[source])))
        codings.append((source, draw(st.integers(0, len(codes) - 1)), start, end))
    return codes, texts, list(dict.fromkeys(codings))


def seen(session: Session, project_id: int) -> tuple[set[str], dict[str, str], list[tuple[str, str, str]]]:
    session.expire_all()
    codes = {c.id: c.name for c in session.scalars(select(Code).where(Code.project_id == project_id))}
    sources = {s.id: s for s in session.scalars(select(Source).where(Source.project_id == project_id))}
    quotes = sorted((sources[c.source_id].name, codes[c.code_id], sources[c.source_id].text[c.start:c.end])
                    for c in session.scalars(select(Coding).where(Coding.project_id == project_id)))
    return set(codes.values()), {s.name: s.text for s in sources.values()}, quotes


@FUZZ_DATABASE
@given(small_projects())
def test_a_generated_project_survives_refi_export_and_import_unchanged(session, project):
    code_names, texts, codings = project
    user = owner(session)
    with transaction(session):
        created = create_project(session, owner_id=user.id, name="Runda")
        codes = [create_code(session, project_id=created.id, name=name, kind=CodeKind.THEME) for name in code_names]
        sources = [add_source(session, project_id=created.id, kind=SourceKind.INTERVIEW, name=f"Källa {i} 🏠",
                              text=body, spans=segment(body), original=body.encode(), language="sv")
                   for i, body in enumerate(texts)]
        for source, code, start, end in codings:
            add_coding(session, project_id=created.id, source_id=sources[source].id, code_id=codes[code].id,
                       start=start, end=end, user_id=user.id)
        original = created.id
    buffer = io.BytesIO()
    write_qdpx(session, original, buffer)

    with transaction(session):
        result = import_file(session, "runda.qdpx", buffer.getvalue(), owner_id=user.id)

    assert seen(session, result.project_id) == seen(session, original)
