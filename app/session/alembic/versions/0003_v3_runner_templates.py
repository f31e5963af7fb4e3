"""Schema 3: protocol templates saved with a runner (TOML text, app/protocol/templates.py).

Revision ID: 0003_v3
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_v3"
down_revision = "0002_v2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runner_templates",
        sa.Column("runner_id", sa.Integer, sa.ForeignKey("runners.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("toml", sa.Text, nullable=False),
        sa.Column("updated_utc", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("runner_id", "name"),
    )
