"""Schema 1: runners, sessions (id = folder name) and protocol blocks.

Revision ID: 0001_v1
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_v1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("birth_year", sa.Integer),
        sa.Column("height_cm", sa.Float),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("created_utc", sa.Text, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("runner_id", sa.Integer, sa.ForeignKey("runners.id", ondelete="SET NULL")),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("started_utc", sa.Text),
        sa.Column("duration_s", sa.Float),
        sa.Column("view", sa.Text),
        sa.Column("facing", sa.Text),
        sa.Column("template", sa.Text),
        sa.Column("thresholds_json", sa.Text, nullable=False, server_default="{}"),
        sa.Column("summary_json", sa.Text, nullable=False, server_default="{}"),
        sa.Column("folder", sa.Text, nullable=False),
    )
    op.create_table(
        "blocks",
        sa.Column("session_id", sa.Text, sa.ForeignKey("sessions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("start_s", sa.Float, nullable=False),
        sa.Column("end_s", sa.Float),
        sa.Column("summary_json", sa.Text, nullable=False, server_default="{}"),
        sa.PrimaryKeyConstraint("session_id", "idx"),
        sa.CheckConstraint("kind IN ('baseline', 'retraining', 'faded', 'retention', 'free')",
                           name="blocks_kind"),
    )
