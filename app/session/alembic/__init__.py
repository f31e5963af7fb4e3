"""Alembic migrations of the session store (run by app/session/migrations.py)."""
