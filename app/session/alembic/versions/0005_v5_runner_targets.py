"""Schema 5: the target cadence kept with each runner — value, where it came from (a few
words: "typed in Setup", "baseline 170 spm + 7.5 %", "guided session") and when.

Revision ID: 0005_v5
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_v5"
down_revision = "0004_v4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runner_targets",
        sa.Column("runner_id", sa.Integer, sa.ForeignKey("runners.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("target_spm", sa.Float, nullable=False),
        sa.Column("origin", sa.Text, nullable=False, server_default=""),
        sa.Column("set_utc", sa.Text, nullable=False),
    )
