"""Guided sessions: the runner flow, the protocol bar, the template editor."""
