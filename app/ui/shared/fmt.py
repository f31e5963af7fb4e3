"""Small text formats shared by the windows (no Qt)."""

from __future__ import annotations


def mmss(seconds: float) -> str:
    """'4:05' (block seconds)."""
    s = max(0, int(round(seconds)))
    return f"{s // 60}:{s % 60:02d}"
