"""pseudonymisation: the project's list of names and the keys of pseudonymised copies

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pseudonym_term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_pseudonym_term_project_id_project"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pseudonym_term")),
        sa.UniqueConstraint("project_id", "term", name=op.f("uq_pseudonym_term_project_id")),
    )
    with op.batch_alter_table("pseudonym_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pseudonym_term_project_id"), ["project_id"], unique=False)
    op.create_table(
        "pseudonym_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("original_source_id", sa.Integer(), nullable=True),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_pseudonym_key_project_id_project"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], name=op.f("fk_pseudonym_key_source_id_source"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["original_source_id"], ["source.id"],
                                name=op.f("fk_pseudonym_key_original_source_id_source"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"],
                                name=op.f("fk_pseudonym_key_created_by_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pseudonym_key")),
    )
    with op.batch_alter_table("pseudonym_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pseudonym_key_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pseudonym_key_source_id"), ["source_id"], unique=False)


def downgrade() -> None:
    op.drop_table("pseudonym_key")
    op.drop_table("pseudonym_term")
