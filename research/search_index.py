"""Writing new segments into the full-text index (migration 0003 created it).

New segments are indexed here, from the text already in memory, because a trigger
would have to cut each segment out of the stored source text again: ``substr`` walks
the text from its start, which makes long sources quadratic. Deletes, moved offsets
and changed texts (erasure) are followed by the triggers of the migration.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session


def index_segments(session: Session, rows: Sequence[tuple[int, str]]) -> None:
    """Index ``(segment id, segment text)`` pairs of freshly inserted segments."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(
            "UPDATE segment SET search_vector = to_tsvector('simple', v.body)"
            " FROM unnest(CAST(:ids AS integer[]), CAST(:bodies AS text[])) AS v(id, body)"
            " WHERE segment.id = v.id"
        ), {"ids": [row[0] for row in rows], "bodies": [row[1] for row in rows]})
    else:
        session.execute(text("INSERT INTO segment_search(rowid, body) VALUES (:id, :body)"),
                        [{"id": segment_id, "body": body} for segment_id, body in rows])
