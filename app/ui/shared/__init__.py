"""Widgets, helpers and the one worker pattern shared by every window."""
