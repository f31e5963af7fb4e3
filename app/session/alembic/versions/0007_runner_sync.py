"""Schema 7: ``runners.synced_version`` — the clinic version of the runner this station
last mirrored (NULL: never). A local version different from it means an edit made here
while the clinic was away, published at the next connection (app/session/publish.py).

Revision ID: 0007_runner_sync
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_runner_sync"
down_revision = "0006_clinic"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runners", sa.Column("synced_version", sa.Integer))
