"""uploads waiting for their import job or their column choices

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staged_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_staged_upload_project_id_project"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_staged_upload_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staged_upload")),
    )
    with op.batch_alter_table("staged_upload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staged_upload_project_id"), ["project_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staged_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staged_upload_project_id"))
    op.drop_table("staged_upload")
