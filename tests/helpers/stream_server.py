"""Real network cameras on 127.0.0.1 for tests: ffmpeg serving a clip as HTTP MJPEG, and
GStreamer's RTSP server serving it over RTSP (see FIELD_NOTES.md). Each server can be
killed (the camera is lost), paused with SIGSTOP (the stream stalls) and started again on
the same port (the camera comes back).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_open(port: int) -> bool:
    """True when something listens on 127.0.0.1:port, found without connecting (a
    one-client server would take the check for its client)."""
    want = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 3 and parts[1].endswith(want) and parts[3] == "0A":
                return True
    return False


def mjpeg_clip(clip: Path, out_dir: Path, width: int = 360, seconds: float = 12.0) -> Path:
    """``clip`` transcoded to MJPEG in Matroska (what the RTSP server sends)."""
    out = out_dir / f"{clip.stem}_{width}_mjpeg.mkv"
    if not out.exists():
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(clip),
                        "-t", str(seconds), "-vf", f"scale={width}:-2", "-c:v", "mjpeg",
                        "-q:v", "5", "-an", str(out)], check=True, timeout=120)
    return out


class StreamServer:
    """Base: ``start()``, ``kill()``, ``pause()``/``resume()``, ``close()``; ``url``."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self, wait_s: float = 10.0) -> None:
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        deadline = time.monotonic() + wait_s
        while not _port_open(self.port):
            if self.proc.poll() is not None:
                raise RuntimeError(f"stream server exited: {self.proc.stderr.read().decode()[-500:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("stream server did not start listening")
            time.sleep(0.05)

    def kill(self) -> None:
        p, self.proc = self.proc, None
        if p is not None and p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(10)
        if p is not None:
            for fh in (p.stdout, p.stderr):
                if fh is not None:
                    fh.close()

    def pause(self) -> None:
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.killpg(self.proc.pid, signal.SIGCONT)

    close = kill


class MjpegHttpServer(StreamServer):
    """ffmpeg ``-f mpjpeg -listen 1``: one client; the process ends when the client goes,
    so a reconnect needs :meth:`start` again (the test plays the camera coming back)."""

    def __init__(self, clip: Path, port: int | None = None, width: int = 360) -> None:
        super().__init__(port)
        self.clip, self.width = clip, width
        self.path = "/feed.mjpg"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def command(self) -> list[str]:
        return ["ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1",
                "-i", str(self.clip), "-vf", f"scale={self.width}:-2", "-q:v", "5",
                "-f", "mpjpeg", "-listen", "1", self.url]


class RtspServer(StreamServer):
    """GStreamer rtsp-server (``tests/helpers/gst_rtsp_server.py``) on loopback."""

    def __init__(self, mjpeg_mkv: Path, port: int | None = None) -> None:
        super().__init__(port)
        self.file = mjpeg_mkv

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}/live"

    def command(self) -> list[str]:
        return [SYSTEM_PYTHON, str(HERE / "gst_rtsp_server.py"), str(self.port), str(self.file)]


def with_credentials(url: str, user: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}:{password}@{rest}"
