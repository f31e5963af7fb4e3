"""What the feedback link needs from the window it lives in (a leaf module: no window
import, so ``app.ui.feedback`` and the live window do not import each other).

The live window (:class:`app.ui.live.main_window.MainWindow`) implements it; a test can
hand the link any object with these members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.config import Settings
    from app.feedback.controller import FeedbackState
    from app.session.recorder import SessionRecorder
    from app.types import View


class FeedbackHost(Protocol):
    """GUI thread, except :meth:`active_recorder` (called on the pose worker thread: it
    must only read attributes)."""

    #: the window's settings; the link replaces it (frozen dataclasses) and then calls
    #: :meth:`feedback_settings_changed` or :meth:`save_settings_now`
    settings: "Settings"

    def show_banner(self, text: str, sticky: bool = False) -> None:
        """One sentence above the video."""

    def save_settings_now(self) -> None:
        """Write ``settings`` to the user's config (when the window saves settings)."""

    def feedback_settings_changed(self) -> None:
        """The link changed the focus in ``settings``: the Setup panel and the focus plot
        follow."""

    def show_metronome_on(self, on: bool) -> None:
        """The panel switched the metronome: the window's T action follows (and runs the
        metronome through the link)."""

    def focus_plot_metric(self) -> str | None:
        """The metric the focus plot shows now."""

    def apply_focus_plot(self, metric: str | None = None) -> None:
        """Show ``metric`` on the focus plot (None: the runner's focus metric)."""

    def feedback_state_changed(self, state: "FeedbackState") -> None:
        """The controller's state, 10 times a second (targets follow it)."""

    def views_in_use(self) -> "tuple[View, ...]":
        """The camera views measured now (side first with two cameras)."""

    def active_recorder(self) -> "SessionRecorder | None":
        """The recording running now, if any (pose worker thread: attribute reads only)."""
