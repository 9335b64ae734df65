"""full-text search of segments: FTS5 on SQLite, tsvector + GIN on PostgreSQL

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-24

New segments are indexed by ``research.search_index`` (called by ``add_source``,
the only place segments are created) from the text in memory. Triggers follow every
delete (also cascades from a deleted source or participant), moved offsets and
changed source texts (erasure): there a segment's text is ``substr(source.text,
start + 1, end - start)``; both databases count characters (code points), like
Kundstig's offsets.
"""

from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    # Diacritics are kept: å, ä, ö, æ and ø are letters of their own in the Nordic languages.
    "CREATE VIRTUAL TABLE segment_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')",
    """INSERT INTO segment_search(rowid, body)
       SELECT segment.id, substr(source.text, segment.start + 1, segment."end" - segment.start)
       FROM segment JOIN source ON source.id = segment.source_id""",
    """CREATE TRIGGER segment_search_delete AFTER DELETE ON segment BEGIN
         DELETE FROM segment_search WHERE rowid = OLD.id;
       END""",
    """CREATE TRIGGER segment_search_update AFTER UPDATE OF start, "end", source_id ON segment BEGIN
         DELETE FROM segment_search WHERE rowid = OLD.id;
         INSERT INTO segment_search(rowid, body)
         SELECT NEW.id, substr(source.text, NEW.start + 1, NEW."end" - NEW.start) FROM source
         WHERE source.id = NEW.source_id;
       END""",
    """CREATE TRIGGER segment_search_text AFTER UPDATE OF text ON source BEGIN
         DELETE FROM segment_search WHERE rowid IN (SELECT id FROM segment WHERE source_id = NEW.id);
         INSERT INTO segment_search(rowid, body)
         SELECT segment.id, substr(NEW.text, segment.start + 1, segment."end" - segment.start) FROM segment
         WHERE segment.source_id = NEW.id;
       END""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS segment_search_text",
    "DROP TRIGGER IF EXISTS segment_search_update",
    "DROP TRIGGER IF EXISTS segment_search_delete",
    "DROP TABLE IF EXISTS segment_search",
]

POSTGRES_UP = [
    "ALTER TABLE segment ADD COLUMN search_vector tsvector",
    """UPDATE segment SET search_vector = to_tsvector('simple', substr(source.text, segment.start + 1,
                                                                     segment."end" - segment.start))
       FROM source WHERE source.id = segment.source_id""",
    "CREATE INDEX ix_segment_search_vector ON segment USING gin (search_vector)",
    """CREATE FUNCTION segment_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.search_vector := to_tsvector('simple', coalesce(
           (SELECT substr(source.text, NEW.start + 1, NEW."end" - NEW.start) FROM source
            WHERE source.id = NEW.source_id), ''));
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER segment_search_vector BEFORE UPDATE OF start, "end", source_id ON segment
       FOR EACH ROW EXECUTE FUNCTION segment_search_vector()""",
    """CREATE FUNCTION source_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE segment SET search_vector = to_tsvector('simple', substr(NEW.text, segment.start + 1,
                                                                        segment."end" - segment.start))
         WHERE segment.source_id = NEW.id;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER source_search_text AFTER UPDATE OF text ON source
       FOR EACH ROW EXECUTE FUNCTION source_search_text()""",
]

POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS source_search_text ON source",
    "DROP FUNCTION IF EXISTS source_search_text()",
    "DROP TRIGGER IF EXISTS segment_search_vector ON segment",
    "DROP FUNCTION IF EXISTS segment_search_vector()",
    "DROP INDEX IF EXISTS ix_segment_search_vector",
    "ALTER TABLE segment DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    for statement in POSTGRES_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in POSTGRES_DOWN if op.get_bind().dialect.name == "postgresql" else SQLITE_DOWN:
        op.execute(statement)
