"""Schema 6 (clinic store): a runner id shared by all stations (``uid``), edit counters
for optimistic versioning (``version`` on runners and sessions), the station that
recorded a session, and the station's queue of sessions to publish (``outbox``).

Existing runners get a fresh uid; existing sessions keep station '' (this station).

Revision ID: 0006_clinic
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006_clinic"
down_revision = "0005_v5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runners", sa.Column("uid", sa.Text))
    op.add_column("runners", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.add_column("sessions", sa.Column("station", sa.Text, nullable=False, server_default=""))
    op.add_column("sessions", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    conn = op.get_bind()
    runners = sa.table("runners", sa.column("id", sa.Integer), sa.column("uid", sa.Text))
    for (rid,) in conn.execute(sa.select(runners.c.id)).all():
        conn.execute(runners.update().where(runners.c.id == rid).values(uid=uuid.uuid4().hex))
    op.create_index("runners_by_uid", "runners", ["uid"], unique=True)
    op.create_table(
        "outbox",
        sa.Column("session_id", sa.Text, sa.ForeignKey("sessions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("state", sa.Text, nullable=False, server_default="waiting"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_try_utc", sa.Text),
        sa.Column("last_error", sa.Text),
        sa.Column("published_utc", sa.Text),
        sa.Column("clinic_version", sa.Integer),
    )
