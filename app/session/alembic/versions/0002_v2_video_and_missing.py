"""Schema 2: the video file name, when sync last saw the folder missing, an index for
"a runner's sessions, newest first" and runner names unique regardless of case.

Revision ID: 0002_v2
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_v2"
down_revision = "0001_v1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("video", sa.Text))
    op.add_column("sessions", sa.Column("missing_since_utc", sa.Text))
    op.create_index("sessions_by_runner", "sessions", ["runner_id", "started_utc"])
    # lower(name) on both backends (schema-1..4 SQLite files have name COLLATE NOCASE,
    # which compares the same way for the ASCII letters SQLite folds)
    op.create_index("runners_by_name", "runners", [sa.text("lower(name)")], unique=True)
