"""The live window's windows on recorded sessions: the session browser (Ctrl+B) and the
before/after comparison (Ctrl+Shift+C). Made on first use, kept on the window
(``sessions_dialog``, ``compare_view``). GUI thread only."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.errors import UserError


def open_sessions(w) -> None:  # noqa: ANN001 - MainWindow
    """File → Sessions…: the session browser (its store is opened on this thread)."""
    from app.ui.sessions.browser import SessionBrowser

    if w.sessions_dialog is None:
        try:
            w.sessions_dialog = SessionBrowser(parent=w)
        except UserError as exc:
            w.show_banner(str(exc))
            return
        w.sessions_dialog.compare_requested.connect(w.compare_sessions)
        w.sessions_dialog.plan_strip.plan_requested.connect(w.plan.show_plan)
    else:
        w.sessions_dialog.refresh(sync=True)
    w.sessions_dialog.show()
    w.sessions_dialog.raise_()


def open_compare(w, before: str | None = None, after: str | None = None):  # noqa: ANN001, ANN201
    """The comparison window (made on first use), loading ``before``/``after`` (session
    ids, folders or videos) when given; returns it."""
    from app.ui.comparison.window import CompareView

    if getattr(w, "compare_view", None) is None:
        w.compare_view = CompareView(parent=w)
        w.compare_view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        w.compare_view.closed.connect(lambda: setattr(w, "compare_view", None))
    w.compare_view.show()
    w.compare_view.raise_()
    if before and after:
        w.compare_view.load(before, after)
    return w.compare_view
