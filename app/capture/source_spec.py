"""One source spec for every live source, and URLs shown without their credentials.

Grammar (``--source`` on the command line, the window's source field, the session
manifest): ``[VIEW=]TARGET`` where VIEW is ``side``, ``rear`` or ``front`` and TARGET is

* ``demo`` — the synthetic runner (every ``demo`` of one session is the *same* runner,
  filmed by one camera per view, in sync: ``app.capture.demo_rig``);
* ``camera`` / ``camera:N`` — a local camera;
* ``rtsp://…``, ``rtsps://…``, ``http://…``, ``https://…`` — a network camera (RTSP, or
  MJPEG over HTTP as phone webcam apps serve it), credentials allowed in the URL
  (``rtsp://user:pass@host/…``);
* ``loop:PATH`` — a video file played in a loop; ``PATH`` — a video file played once;
* ``replay:PATH`` or a landmark file path — a landmark file replayed at its own rate.

Credentials: :attr:`SourceSpec.label` and :func:`redact_url` never contain a user name,
a password or a secret query value; :class:`SourceSpec`'s ``repr`` uses the label, so a
spec printed into a log, an exception or a settings file is safe. Only
:attr:`SourceSpec.target` (used to open the stream) holds the URL as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from app.errors import InputFileError
from app.types import View

NETWORK_SCHEMES = ("rtsp", "rtsps", "http", "https")
#: query keys whose values are secrets (matched case-insensitively, as substrings)
_SECRET_KEYS = re.compile(r"pass|pwd|token|key|auth|secret|sig|user|login|cred", re.I)
_HIDDEN = "***"


def redact_url(url: str) -> str:
    """``url`` without user name, password and secret query values
    (``rtsp://ann:pw@cam/live?token=x`` → ``rtsp://***@cam/live?token=***``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _HIDDEN
    netloc = parts.netloc
    if "@" in netloc:
        netloc = _HIDDEN + "@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, _HIDDEN if _SECRET_KEYS.search(k) else v) for k, v in pairs],
                          safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def has_credentials(url: str) -> bool:
    """True when ``url`` carries a user name/password or a secret query value."""
    return redact_url(url) != url.split("#", 1)[0]


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A parsed source. ``kind``: demo | camera | stream | file | replay. ``target``: the
    camera index as text, the URL as typed (may hold credentials: never log it), or the
    file path. ``view``: the view assigned with ``VIEW=`` (None: not said). ``loop``:
    play a video file in a loop."""

    kind: str
    target: str = field(repr=False)
    view: View | None = None
    loop: bool = False

    @property
    def label(self) -> str:
        """What the user sees and what logs, settings and recordings store: ``Demo``,
        ``camera:0``, the URL without credentials, the file name."""
        if self.kind == "demo":
            return "Demo"
        if self.kind == "camera":
            return f"camera:{self.target}"
        if self.kind == "stream":
            return redact_url(self.target)
        return Path(self.target).name

    @property
    def text(self) -> str:
        """The spec written back without credentials (``rear=rtsp://***@cam/live``), for
        manifests and settings; it re-parses to the same kind, view and loop."""
        body = {"demo": "demo", "camera": f"camera:{self.target}",
                "stream": redact_url(self.target)}.get(self.kind)
        if body is None:
            prefix = "loop:" if self.loop else ("replay:" if self.kind == "replay" else "")
            body = prefix + self.target
        return f"{self.view.value}={body}" if self.view is not None else body

    @property
    def live(self) -> bool:
        """A source that can stall or be lost (camera, network stream)."""
        return self.kind in ("camera", "stream")

    def __repr__(self) -> str:
        return f"SourceSpec({self.kind}, {self.text!r})"

    __str__ = __repr__


def parse_source(text: str, *, check_files: bool = True) -> SourceSpec:
    """Parse one spec (see the module docstring); ``InputFileError`` with one sentence
    for a malformed one. ``check_files``: a file must exist (and a landmark file is told
    from a video by its first line)."""
    s = (text or "").strip()
    if not s:
        raise InputFileError("The source is empty: give demo, camera:N, a stream URL or a file.")
    view: View | None = None
    head, eq, rest = s.partition("=")
    if eq and head.strip().lower() in {v.value for v in View}:
        view, s = View(head.strip().lower()), rest.strip()
        if not s:
            raise InputFileError(f"'{head}=' needs a source after it (demo, camera:N, a URL or a file).")
    low = s.lower()
    scheme = low.split("://", 1)[0] if "://" in low else ""
    if scheme in NETWORK_SCHEMES:
        parts = urlsplit(s)
        if not parts.hostname:
            raise InputFileError(f"'{redact_url(s)}' is not a stream address: it names no host.")
        return SourceSpec("stream", s, view)
    if scheme:
        raise InputFileError(f"'{redact_url(s)}' is not a supported stream: use rtsp://, "
                             "http:// or https:// (MJPEG).")
    if low == "demo":
        return SourceSpec("demo", "demo", view)
    if low == "camera" or low.startswith("camera:"):
        idx = s.partition(":")[2].strip() or "0"
        if not idx.isdigit():
            raise InputFileError(f"'{s}' is not a camera: use camera:0, camera:1, ...")
        return SourceSpec("camera", str(int(idx)), view)
    loop = False
    replay = False
    if low.startswith("loop:"):
        loop, s = True, s[5:].strip()
    elif low.startswith("replay:"):
        replay, s = True, s[7:].strip()
    path = Path(s).expanduser()
    if check_files:
        if not path.exists():
            raise InputFileError(f"The file {path} does not exist.")
        if path.is_dir():
            raise InputFileError(f"{path} is a folder, not a video or landmark file.")
        if not replay:
            from app.pose.landmark_file import is_landmark_file

            replay = is_landmark_file(path)
    return SourceSpec("replay" if replay else "file", str(path), view, loop)


def parse_view_sources(texts: list[str], default_view: View = View.SIDE) -> list[SourceSpec]:
    """Several ``--source`` values → specs each with a view. One source without a view
    takes ``default_view``; with several, each must name its view, and no view twice.
    ``InputFileError`` with a sentence otherwise."""
    specs = [parse_source(t) for t in texts]
    if len(specs) == 1:
        sp = specs[0]
        return [sp if sp.view is not None else SourceSpec(sp.kind, sp.target, default_view, sp.loop)]
    seen: set[View] = set()
    for sp in specs:
        if sp.view is None:
            raise InputFileError(f"With several sources each needs its view: write side={sp.text} "
                                 "or rear=… (side, rear or front).")
        if sp.view in seen:
            raise InputFileError(f"Two sources are given for the {sp.view.value} view; give one per view.")
        seen.add(sp.view)
    if len(specs) > 2:
        raise InputFileError("At most two views at once (side and rear, or side and front).")
    if seen == {View.REAR, View.FRONT}:
        raise InputFileError("Rear and front together measure the same plane twice: pair one of "
                             "them with the side view.")
    return specs
