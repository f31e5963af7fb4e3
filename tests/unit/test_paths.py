"""Where files go (app.paths): every folder follows $GAITCOACH_DATA_DIR unless its own
variable says otherwise (issue 11: the analysis cache and user cues ignored it)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def clean_env(monkeypatch):
    for k in ("GAITCOACH_DATA_DIR", "GAITCOACH_CACHE_DIR", "GAITCOACH_CUE_DIR"):
        monkeypatch.delenv(k, raising=False)
    return monkeypatch


def test_everything_follows_the_data_dir(clean_env, tmp_path):
    from app.compare.clip import cache_dir, cache_path_for, sessions_root as clip_sessions
    from app.feedback.cue_library import user_cue_root
    from app.protocol.voice import user_voice_dir
    from app.session.folder import data_dir, sessions_root

    clean_env.setenv("GAITCOACH_DATA_DIR", str(tmp_path / "data"))
    d = tmp_path / "data"
    assert data_dir() == d and sessions_root() == d / "sessions" == clip_sessions()
    assert cache_dir() == d / "cache"
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"x")
    assert cache_path_for(video).parent == d / "cache" / "analyses"
    assert user_voice_dir("en") == d / "cache" / "voice" / "en"
    assert user_cue_root() == d / "cues"


def test_own_variables_win(clean_env, tmp_path):
    from app.compare.clip import cache_dir
    from app.feedback.cue_library import user_cue_root

    clean_env.setenv("GAITCOACH_DATA_DIR", str(tmp_path / "data"))
    clean_env.setenv("GAITCOACH_CACHE_DIR", str(tmp_path / "c"))
    clean_env.setenv("GAITCOACH_CUE_DIR", str(tmp_path / "q"))
    assert cache_dir() == tmp_path / "c" and user_cue_root() == tmp_path / "q"


def test_defaults_are_the_user_folders(clean_env):
    import platformdirs

    from app import paths

    assert paths.data_dir() == Path(platformdirs.user_data_dir("gaitcoach", appauthor=False))
    assert paths.cache_dir() == Path(platformdirs.user_cache_dir("gaitcoach"))
    assert paths.user_cue_root() == paths.data_dir() / "cues"
