"""GaitCoach: real-time gait retraining."""

from __future__ import annotations


def _version() -> str:
    """The version written once, in pyproject.toml: read from it in a source checkout, else
    from the installed distribution's metadata (wheel, editable install, the bundle)."""
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        try:
            project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
            if project.get("name") == "gaitcoach" and project.get("version"):
                return str(project["version"])
        except (OSError, tomllib.TOMLDecodeError):
            pass
    from importlib import metadata

    try:
        return metadata.version("gaitcoach")
    except metadata.PackageNotFoundError:
        return "0+unknown"


__version__ = _version()
