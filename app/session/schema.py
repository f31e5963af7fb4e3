"""The session store's tables as SQLAlchemy Core objects (the schema at the newest
Alembic revision, ``app/session/alembic/versions``), shared by both backends: SQLite
(the embedded default, ``<data dir>/gaitcoach.db``) and PostgreSQL (a clinic's store).

Queries are written against these objects, never as backend-specific SQL; the
migrations create the same tables step by step. Times ``*_utc`` are ISO 8601 strings,
``*_s`` seconds. ``version`` columns count edits (optimistic versioning: an edit names
the version it was made on and fails when another station changed the row meanwhile).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

runners = sa.Table(
    "runners", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("birth_year", sa.Integer),
    sa.Column("height_cm", sa.Float),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("created_utc", sa.Text, nullable=False),
    # schema 6 (clinic): one runner across stations and edits counted
    sa.Column("uid", sa.Text),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    # schema 7: the clinic version last mirrored here (NULL: never; != version: edited here)
    sa.Column("synced_version", sa.Integer),
)

sessions = sa.Table(
    "sessions", metadata,
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
    sa.Column("video", sa.Text),
    sa.Column("missing_since_utc", sa.Text),
    # schema 6 (clinic): the station that recorded it, edits counted
    sa.Column("station", sa.Text, nullable=False, server_default=""),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

blocks = sa.Table(
    "blocks", metadata,
    sa.Column("session_id", sa.Text, sa.ForeignKey("sessions.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("start_s", sa.Float, nullable=False),
    sa.Column("end_s", sa.Float),
    sa.Column("summary_json", sa.Text, nullable=False, server_default="{}"),
)

runner_templates = sa.Table(
    "runner_templates", metadata,
    sa.Column("runner_id", sa.Integer, sa.ForeignKey("runners.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("toml", sa.Text, nullable=False),
    sa.Column("updated_utc", sa.Text, nullable=False),
)

programmes = sa.Table(
    "programmes", metadata,
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

programme_items = sa.Table(
    "programme_items", metadata,
    sa.Column("programme_id", sa.Integer, sa.ForeignKey("programmes.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("exercise_id", sa.Text, nullable=False),
    sa.Column("sets", sa.Integer, nullable=False),
    sa.Column("reps", sa.Integer),
    sa.Column("seconds", sa.Integer),
    sa.Column("per_side", sa.Integer, nullable=False, server_default="0"),
    sa.Column("per_week", sa.Integer, nullable=False, server_default="3"),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)

practice_log = sa.Table(
    "practice_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("programme_id", sa.Integer, sa.ForeignKey("programmes.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("exercise_id", sa.Text, nullable=False),
    sa.Column("day", sa.Text, nullable=False),
    sa.Column("result_json", sa.Text, nullable=False, server_default="{}"),
    sa.Column("created_utc", sa.Text, nullable=False),
    sa.UniqueConstraint("programme_id", "exercise_id", "day"),
)

load_log = sa.Table(
    "load_log", metadata,
    sa.Column("runner_id", sa.Integer, sa.ForeignKey("runners.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("week_start", sa.Text, primary_key=True),
    sa.Column("volume", sa.Float, nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("pain", sa.Integer, nullable=False),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("updated_utc", sa.Text, nullable=False),
)

#: Schema 5: the target cadence kept with each runner (value, where it came from, when).
runner_targets = sa.Table(
    "runner_targets", metadata,
    sa.Column("runner_id", sa.Integer, sa.ForeignKey("runners.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("target_spm", sa.Float, nullable=False),
    sa.Column("origin", sa.Text, nullable=False, server_default=""),
    sa.Column("set_utc", sa.Text, nullable=False),
)

#: Schema 6: a station's queue of finished sessions for the clinic store (local only).
#: ``state``: 'waiting' | 'published' | 'conflict'; ``clinic_version`` the clinic row's
#: version this station last wrote or saw; ``next_try_utc`` the back-off.
outbox = sa.Table(
    "outbox", metadata,
    sa.Column("session_id", sa.Text, sa.ForeignKey("sessions.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("state", sa.Text, nullable=False, server_default="waiting"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_try_utc", sa.Text),
    sa.Column("last_error", sa.Text),
    sa.Column("published_utc", sa.Text),
    sa.Column("clinic_version", sa.Integer),
)
