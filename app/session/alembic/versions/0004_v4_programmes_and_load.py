"""Schema 4: exercise programmes kept with a runner (their items in order), the runner's
ticks of home practice and the weekly load log (app/plan/store.py).

Revision ID: 0004_v4
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_v4"
down_revision = "0003_v3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("runner_id", sa.Integer, sa.ForeignKey("runners.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_utc", sa.Text, nullable=False),
        sa.Column("updated_utc", sa.Text, nullable=False),
        sa.Column("baseline_date", sa.Text, nullable=False),
        sa.Column("reassess_due", sa.Text, nullable=False),
        sa.Column("primary_fault", sa.Text),
        sa.Column("chain", sa.Text),
        sa.Column("template", sa.Text),
        sa.Column("plan", sa.Text),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.Column("source_session", sa.Text),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("picture_json", sa.Text, nullable=False, server_default="{}"),
        sa.Column("active", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("programmes_by_runner", "programmes", ["runner_id", "active", "created_utc"])
    op.create_table(
        "programme_items",
        sa.Column("programme_id", sa.Integer, sa.ForeignKey("programmes.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("exercise_id", sa.Text, nullable=False),
        sa.Column("sets", sa.Integer, nullable=False),
        sa.Column("reps", sa.Integer),
        sa.Column("seconds", sa.Integer),
        sa.Column("per_side", sa.Integer, nullable=False, server_default="0"),
        sa.Column("per_week", sa.Integer, nullable=False, server_default="3"),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("programme_id", "idx"),
    )
    op.create_table(
        "practice_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("programme_id", sa.Integer, sa.ForeignKey("programmes.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("exercise_id", sa.Text, nullable=False),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("result_json", sa.Text, nullable=False, server_default="{}"),
        sa.Column("created_utc", sa.Text, nullable=False),
        sa.UniqueConstraint("programme_id", "exercise_id", "day"),
    )
    op.create_table(
        "load_log",
        sa.Column("runner_id", sa.Integer, sa.ForeignKey("runners.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("week_start", sa.Text, nullable=False),
        sa.Column("volume", sa.Float, nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("pain", sa.Integer, nullable=False),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("updated_utc", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("runner_id", "week_start"),
        sa.CheckConstraint("volume >= 0", name="load_volume"),
        sa.CheckConstraint("unit IN ('km', 'min')", name="load_unit"),
        sa.CheckConstraint("pain BETWEEN 0 AND 10", name="load_pain"),
    )
