"""The application icon and desktop identity (assets/icons, assets/linux)."""

from __future__ import annotations

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DESKTOP_ID = "org.gaitcoach.GaitCoach"


def set_app_icon(app) -> None:
    """The window icon (every PNG size in assets/icons) and the desktop entry's id."""
    from PySide6.QtGui import QIcon

    from app.resources import asset_path

    icon = QIcon()
    for n in ICON_SIZES:
        path = asset_path("icons", f"gaitcoach-{n}.png")
        if path.is_file():
            icon.addFile(str(path))
    app.setWindowIcon(icon)
    app.setDesktopFileName(DESKTOP_ID)
