"""SQLite: ids of projects, sources, participants, codes, codings and memos are never reused

Without AUTOINCREMENT, SQLite gives a new row the highest id plus one, so deleting the newest
code let the next code take its id: history entries, bookmarks, the picker's recent codes and
undo then pointed at a different object. PostgreSQL's sequences never reuse ids already.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("project", "participant", "source", "code", "coding", "memo")


def _rebuild(autoincrement: bool) -> None:
    """Rebuild each table with or without AUTOINCREMENT. The triggers that keep the search index
    current would be dropped with the ``source`` table (and block renaming the new one into
    place), so they are set aside first and put back, as they were, afterwards."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    triggers = bind.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass
    for _name, sql in triggers:
        op.execute(sql)


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
