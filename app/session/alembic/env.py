"""Alembic environment: always run from app/session/migrations.py, which passes an open
connection (already inside its transaction and holding the upgrade lock) in
``config.attributes["connection"]``. There is no alembic.ini and no offline mode."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
