"""What `make run` / `make test` install matches what the README says (issue 11 item 13:
`make run` did not install what the README claimed), and Makefile targets that need the
test tools (xvfb-run) set them up."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: README word → Debian package that provides it
PACKAGES = {"PortAudio": "libportaudio2", "PulseAudio": "pulseaudio", "espeak-ng": "espeak-ng",
            "Xvfb": "xvfb", "sox": "sox", "poppler": "poppler-utils", "xcb": "libxcb-cursor0",
            "EGL": "libegl1", "ffmpeg": "ffmpeg", "RTSP server": "gir1.2-gst-rtsp-server-1.0"}


def _bootstrap_lists() -> tuple[set[str], set[str]]:
    text = (REPO / "scripts" / "bootstrap.sh").read_text()
    runtime = re.search(r'DEB_RUNTIME="([^"]*)"', text, re.S)[1].replace("\\\n", " ").split()
    dev = re.search(r'DEB_DEV="([^"]*)"', text, re.S)[1].split()
    return set(runtime), set(dev)


def _sentence_after(readme: str, start: str) -> str:
    i = readme.index(start)
    return readme[i:readme.index(";", i) if ";" in readme[i:i + 400] else i + 400]


def test_readme_names_what_each_command_installs():
    runtime, dev = _bootstrap_lists()
    readme = " ".join((REPO / "README.md").read_text().split())
    run_part = _sentence_after(readme, "`make run` installs")
    test_part = _sentence_after(readme, "`make test` also installs")
    named_run = [w for w in PACKAGES if w in run_part]
    named_test = [w for w in PACKAGES if w in test_part]
    assert {"PortAudio", "PulseAudio", "espeak-ng"} <= set(named_run)
    for word in named_run:
        assert PACKAGES[word] in runtime, f"README: make run installs {word}, bootstrap does not"
    for word in named_test:
        assert PACKAGES[word] in runtime | dev, f"README: make test installs {word}, bootstrap does not"
    # nothing the README promises for `make run` is test-only
    assert not {w for w in named_run if PACKAGES[w] in dev and PACKAGES[w] not in runtime}


def test_make_targets_using_xvfb_set_up_the_test_tools():
    text = (REPO / "Makefile").read_text()
    targets = re.findall(r"^([a-z-]+):([^\n]*)\n((?:\t[^\n]*\n)*)", text, re.M)
    for name, deps, recipe in targets:
        if "xvfb-run" in recipe:
            assert "setup-dev" in deps.split(), f"make {name} uses xvfb-run but only sets up {deps}"
    assert "1366x768" in text  # screenshots at the common laptop size
