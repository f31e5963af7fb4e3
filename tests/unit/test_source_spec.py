"""One source spec for every source; credentials never shown."""

from __future__ import annotations

import pytest

from app.capture.source_spec import (has_credentials, parse_source, parse_view_sources,
                                     redact_url)
from app.errors import InputFileError
from app.types import View


def test_redact_url_hides_user_password_and_secret_query():
    assert redact_url("rtsp://ann:pw@10.0.0.5:554/live") == "rtsp://***@10.0.0.5:554/live"
    assert redact_url("http://cam.local/video?user=ann&pwd=x&fps=30") == \
        "http://cam.local/video?user=***&pwd=***&fps=30"
    assert redact_url("https://cam/feed.mjpg") == "https://cam/feed.mjpg"
    assert has_credentials("rtsp://a:b@h/x") and not has_credentials("rtsp://h/x")


@pytest.mark.parametrize("text,kind,view,loop", [
    ("demo", "demo", None, False),
    ("rear=demo", "demo", View.REAR, False),
    ("camera", "camera", None, False),
    ("side=camera:2", "camera", View.SIDE, False),
    ("rtsp://u:p@cam/live?a=b", "stream", None, False),
    ("front=http://cam:8080/video", "stream", View.FRONT, False),
])
def test_parse_kinds(text, kind, view, loop):
    sp = parse_source(text)
    assert (sp.kind, sp.view, sp.loop) == (kind, view, loop)
    again = parse_source(sp.text)
    assert (again.kind, again.view) == (sp.kind, sp.view)


def test_stream_spec_keeps_url_to_open_but_never_prints_it():
    sp = parse_source("rear=rtsp://coach:hunter2@192.0.2.1/live?token=abc")
    assert sp.target == "rtsp://coach:hunter2@192.0.2.1/live?token=abc"
    for shown in (sp.label, sp.text, repr(sp), str(sp), f"{sp}"):
        assert "hunter2" not in shown and "abc" not in shown and "coach" not in shown
    assert sp.text == "rear=rtsp://***@192.0.2.1/live?token=***"


def test_files_loop_and_replay(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\0" * 10)
    lm = tmp_path / "pose.csv"
    lm.write_text("# gaitcoach-landmarks v1\n")
    assert parse_source(str(video)).kind == "file"
    sp = parse_source(f"side=loop:{video}")
    assert sp.kind == "file" and sp.loop and sp.view is View.SIDE
    assert parse_source(f"loop:{video}").text == f"loop:{video}"
    assert parse_source(str(lm)).kind == "replay"
    assert parse_source(f"replay:{lm}").kind == "replay"


@pytest.mark.parametrize("text,words", [
    ("", "empty"), ("side=", "needs a source"), ("camera:x", "not a camera"),
    ("ftp://h/x", "not a supported stream"), ("rtsp:///live", "names no host"),
    ("/nope/missing.mp4", "does not exist"),
])
def test_bad_specs_are_one_sentence(text, words, tmp_path):
    with pytest.raises(InputFileError) as e:
        parse_source(text)
    assert words in str(e.value)


def test_view_sources():
    assert parse_view_sources(["demo"])[0].view is View.SIDE
    assert parse_view_sources(["demo"], View.REAR)[0].view is View.REAR
    two = parse_view_sources(["side=demo", "rear=demo"])
    assert [s.view for s in two] == [View.SIDE, View.REAR]
    for bad, words in ((["demo", "rear=demo"], "needs its view"),
                       (["side=demo", "side=camera:1"], "Two sources"),
                       (["rear=demo", "front=demo"], "same plane"),
                       (["side=demo", "rear=demo", "front=demo"], "At most two")):
        with pytest.raises(InputFileError) as e:
            parse_view_sources(bad)
        assert words in str(e.value)


def test_stream_credentials_kept_out_of_settings(tmp_path, monkeypatch):
    """The URL with its password goes to the 0600 credentials file (no keyring here);
    settings and the source memory hold the redacted URL only."""
    import os
    import stat

    from app.capture.source_memory import SourceMemory, source_key
    from app.session.credentials import full_stream_url, save_stream_url

    monkeypatch.setenv("GAITCOACH_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("GAITCOACH_NO_KEYRING", "1")
    url = "rtsp://coach:hunter2@192.0.2.7/live"
    shown = save_stream_url(url)
    assert shown == "rtsp://***@192.0.2.7/live"
    assert full_stream_url(shown) == url
    assert full_stream_url("rtsp://192.0.2.8/x") == "rtsp://192.0.2.8/x"
    cred = tmp_path / "credentials.json"
    assert stat.S_IMODE(os.stat(cred).st_mode) == 0o600
    mem = SourceMemory(tmp_path / "sources.json")
    mem.set_region(url, (1, 2, 300, 400))
    assert "hunter2" not in (tmp_path / "sources.json").read_text()
    assert source_key(url) == "stream:rtsp://***@192.0.2.7/live"
    assert mem.region(url) == (1.0, 2.0, 300.0, 400.0)
