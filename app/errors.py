"""Errors a user can cause (bad file, no camera, no audio device).

``str(error)`` is one plain sentence for the user; the CLI prints it and exits with
``exit_code``; the GUI shows it in a banner. Programming errors are never wrapped in these.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_NO_GAIT = 3


class UserError(Exception):
    """A problem the user can fix; the message is the sentence shown to them."""

    exit_code: int = EXIT_BAD_INPUT

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputFileError(UserError):
    """A file that is missing, empty, unreadable, corrupt or of the wrong kind."""


class NoGaitError(UserError):
    """Readable input with no person or no gait in it."""

    exit_code = EXIT_NO_GAIT


class DeviceError(UserError):
    """A camera or audio device that is missing or was lost."""

    exit_code = EXIT_ERROR
