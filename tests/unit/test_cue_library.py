"""The cue library with a real user folder: overrides, added cues, hidden cues, clips, and
bad files — each bad thing gives one clear problem sentence and never stops loading."""

from __future__ import annotations

import numpy as np
import pytest

from app.audio.clips import read_wav_mono, write_wav_mono
from app.errors import InputFileError, UserError
from app.feedback import user_cues
from app.feedback.cue_library import CueKind, CueLibrary


@pytest.fixture
def root(tmp_path):
    return tmp_path / "cues"


def load(root):
    return CueLibrary.load("en", user_root=root)


def tone(path, seconds=0.4, rate=16000, stereo=False):
    t = np.arange(int(seconds * rate)) / rate
    x = 0.3 * np.sin(2 * np.pi * 440 * t)
    if stereo:
        from scipy.io import wavfile

        wavfile.write(str(path), rate, np.stack([x, x], axis=1).astype(np.float32))
    else:
        write_wav_mono(path, x, rate)
    return path


def test_shipped_library_covers_every_fault_with_short_words(root):
    lib = load(root)
    assert lib.problems == ()
    assert all(c.source == "shipped" and c.clip_path is not None for c in lib)
    assert all(c.n_words <= 6 for c in lib)
    assert lib.praise()  # general praise exists


def test_user_adds_overrides_and_hides_cues(root, tmp_path):
    shipped = load(root)
    assert "overstride_step_down" in shipped
    user_cues.save_cue("overstride_quiet_feet", "Quiet feet under you", "correction",
                       "overstride_pct_leg", "high", root=root)
    user_cues.save_cue("overstride_land_under_hips", "Land right under you", "correction",
                       "overstride_pct_leg", "high", root=root)
    user_cues.set_enabled("overstride_step_down", False, root=root)
    lib = load(root)
    assert lib.problems == ()
    ids = [c.id for c in lib.for_fault("overstride_pct_leg", "high")]
    assert ids == ["overstride_land_under_hips", "overstride_quiet_feet"]
    changed = lib.get("overstride_land_under_hips")
    # new words without a new clip: the shipped clip would say something else
    assert changed.text == "Land right under you" and changed.clip_path is None
    assert changed.source == "user"
    assert "overstride_step_down" not in lib
    assert user_cues.disabled_ids(root=root) == ["overstride_step_down"]
    # a clip for the added cue (imported stereo float WAV -> 16-bit mono in the user folder)
    dest = user_cues.import_clip("overstride_quiet_feet", tone(tmp_path / "me.wav", stereo=True),
                                 root=root)
    x, rate = read_wav_mono(dest)
    assert rate == 16000 and x.size == 6400 and np.max(np.abs(x)) == pytest.approx(0.3, abs=0.01)
    lib = load(root)
    assert lib.get("overstride_quiet_feet").clip_path == dest
    # showing the hidden cue again, removing the override: back to the shipped set
    user_cues.set_enabled("overstride_step_down", True, root=root)
    user_cues.remove_cue("overstride_land_under_hips", root=root)
    lib = load(root)
    assert lib.get("overstride_step_down").source == "shipped"
    assert lib.get("overstride_land_under_hips").source == "shipped"
    assert lib.get("overstride_land_under_hips").clip_path is not None


def test_a_wav_alone_replaces_a_shipped_clip(root, tmp_path):
    user_cues.import_clip("praise_thats_it", tone(tmp_path / "x.wav"), root=root)
    cue = load(root).get("praise_thats_it")
    shipped = load(tmp_path / "none").get("praise_thats_it")
    assert cue.source == "user" and cue.clip_path == root / "en" / "praise_thats_it.wav"
    assert cue.text == shipped.text and cue.kind is CueKind.PRAISE


@pytest.mark.parametrize("body,needle", [
    ("this is not toml = = =", "could not be read"),
    ('schema_version = 7\n[[cue]]\nid = "a"\ntext = "hi"', "schema_version 7"),
    ('[[cue]]\nid = "a b"\ntext = "hi"\nkind = "praise"', "needs an id"),
    ('[[cue]]\nid = "long"\ntext = "one two three four five six seven"\nkind = "praise"',
     "more than 6 words"),
    ('[[cue]]\nid = "x"\ntext = "Go"\nmetric = "speed_kmh"\ndirection = "high"',
     "unknown metric 'speed_kmh'"),
    ('[[cue]]\nid = "x"\ntext = "Go"\nmetric = "overstride_pct_leg"\ndirection = "low"',
     "needs direction high"),
    ('[[cue]]\nid = "x"\ntext = "Go"\nkind = "shout"', "kind 'shout'"),
    ('[[cue]]\nid = "x"\ntext = "Go"\nkind = "praise"\nclip = "gone.wav"', "will be shown, not spoken"),
])
def test_bad_user_file_gives_one_problem_and_keeps_the_shipped_set(root, body, needle):
    (root / "en").mkdir(parents=True)
    (root / "en" / "cues.toml").write_text(body, encoding="utf-8")
    lib = load(root)
    assert len(lib.problems) == 1, lib.problems
    assert needle in lib.problems[0]
    assert str(root / "en" / "cues.toml") in lib.problems[0] or "gone.wav" in lib.problems[0]
    assert len(lib) >= 30  # the shipped cues are all still there


def test_corrupt_clip_is_one_problem_when_registered(root):
    from app.audio.engine import AudioEngine

    (root / "en").mkdir(parents=True)
    (root / "en" / "praise_keep_that.wav").write_bytes(b"RIFF\x00\x00not a wav at all")
    lib = load(root)
    engine = AudioEngine()  # not started: clips are prepared without a device
    problems = engine.register_cues(lib)
    assert len(problems) == 1 and "praise_keep_that.wav" in problems[0]
    assert not engine.has_clip("praise_keep_that") and engine.has_clip("praise_thats_it")


def test_editor_input_checks_are_sentences(root, tmp_path):
    with pytest.raises(UserError, match="at most 6 words"):
        user_cues.save_cue("x", "one two three four five six seven", "praise", root=root)
    with pytest.raises(UserError, match="direction is high"):
        user_cues.save_cue("x", "Go", "correction", "pelvic_drop_deg", "low", root=root)
    with pytest.raises(UserError, match="only contain"):
        user_cues.save_cue("x/y", "Go", "praise", root=root)
    (tmp_path / "bad.wav").write_bytes(b"nope")
    with pytest.raises(InputFileError, match="could not be read"):
        user_cues.import_clip("praise_thats_it", tmp_path / "bad.wav", root=root)
    assert not (root / "en" / "praise_thats_it.wav").exists()
    assert not (root / "en").exists() or not list((root / "en").glob("*.tmp"))
