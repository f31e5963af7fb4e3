"""Landmark files v1: round trips, streaming/atomic writing, and every malformed case."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pytest

from app.errors import InputFileError
from app.pose.landmark_file import (
    HEADER_COLUMNS,
    MAGIC,
    LandmarkMeta,
    LandmarkWriter,
    is_landmark_file,
    iter_landmark_samples,
    read_landmark_file,
    write_landmark_file,
)
from app.types import LANDMARK_NAMES, Facing, PoseSample, View

META = LandmarkMeta(
    width=720,
    height=1280,
    fps=30.0,
    view=View.SIDE,
    facing=Facing.LEFT,
    source="male_side.mp4",
    subject_height_cm=178.5,
)


def make_samples(n: int = 40, fps: float = 30.0, seed: int = 1, quantized: bool = True) -> list[PoseSample]:
    """Synthetic samples: some frames without a person, some with unknown z."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        if i % 7 == 3:
            lm = None
        else:
            lm = np.empty((33, 4), dtype=np.float32)
            lm[:, 0] = rng.uniform(0, 720, 33)
            lm[:, 1] = rng.uniform(0, 1280, 33)
            lm[:, 2] = rng.uniform(-400, 400, 33)
            lm[:, 3] = rng.uniform(0, 1, 33)
            if quantized:
                lm[:, :3] = np.round(lm[:, :3], 3)
                lm[:, 3] = np.round(lm[:, 3], 4)
            if i % 5 == 1:
                lm[:, 2] = np.nan
        out.append(PoseSample(frame_index=i, t_ns=round(i * 1e9 / fps), landmarks=lm, width=720, height=1280))
    return out


def assert_same(a: list[PoseSample], b: list[PoseSample], atol: float = 0.0) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert (x.frame_index, x.t_ns, x.width, x.height) == (y.frame_index, y.t_ns, y.width, y.height)
        assert (x.landmarks is None) == (y.landmarks is None)
        if x.landmarks is not None:
            assert y.landmarks.dtype == np.float32 and y.landmarks.shape == (33, 4)
            if atol == 0.0:
                assert np.array_equal(x.landmarks, y.landmarks, equal_nan=True)
            else:
                np.testing.assert_allclose(y.landmarks, x.landmarks, atol=atol, rtol=0)


@pytest.mark.parametrize("name", ["lm.csv", "lm.csv.gz"])
def test_round_trip_identical(tmp_path: Path, name: str) -> None:
    samples = make_samples()
    path = write_landmark_file(tmp_path / name, META, samples)
    meta, back = read_landmark_file(path)
    assert meta == META
    assert_same(samples, back)
    assert back[3].landmarks is None and not back[3].has_person
    assert np.isnan(back[1].landmarks[:, 2]).all()
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    # Writing what was read gives the same bytes again.
    again = write_landmark_file(tmp_path / ("again_" + name), meta, back)
    if not name.endswith(".gz"):
        assert again.read_text() == path.read_text()


def test_full_precision_input_within_half_a_unit(tmp_path: Path) -> None:
    samples = make_samples(quantized=False)
    _, back = read_landmark_file(write_landmark_file(tmp_path / "lm.csv", META, samples))
    assert_same(samples, back, atol=5.1e-4)


def test_times_round_trip_exactly_for_odd_rates(tmp_path: Path) -> None:
    fps = 30000 / 1001
    samples = [PoseSample(i, round(i * 1e9 / fps), None, 720, 1280) for i in range(0, 200_000, 997)]
    _, back = read_landmark_file(write_landmark_file(tmp_path / "t.csv", META, samples))
    assert [s.t_ns for s in back] == [s.t_ns for s in samples]


def test_file_layout_matches_the_spec(tmp_path: Path) -> None:
    path = write_landmark_file(tmp_path / "lm.csv", META, make_samples(5))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# gaitcoach-landmarks v1"
    assert lines[1:7] == ["# width=720", "# height=1280", "# fps=30.0", "# view=side", "# facing=left", "# source=male_side.mp4"]
    assert lines[7] == "# subject_height_cm=178.5"
    header = lines[8].split(",")
    assert header[:6] == ["frame", "t_s", "nose_x", "nose_y", "nose_z", "nose_v"]
    assert header[-4:] == ["right_foot_index_x", "right_foot_index_y", "right_foot_index_z", "right_foot_index_v"]
    assert len(header) == 2 + 33 * 4
    assert lines[9].startswith("0,0.000000000,")
    assert lines[12] == "3,0.100000000" + "," * 132  # no person: empty landmark cells
    assert ",," in lines[10]  # frame 1 has empty z cells


def test_minimal_meta_and_reordered_extra_columns(tmp_path: Path) -> None:
    """Other tools may omit optional keys and add columns; columns match by name."""
    names = list(HEADER_COLUMNS[2:])
    rng = np.random.default_rng(3)
    vals = np.round(rng.uniform(0, 500, (2, 132)), 3)
    order = names[::-1]
    rows = []
    for k in range(2):
        cells = {n: f"{v:.3f}" for n, v in zip(names, vals[k])}
        rows.append(",".join([str(k), f"{k * 0.02:.3f}", "x"] + [cells[n] for n in order]))
    text = "\n".join([MAGIC, "# width=640", "# height=480", "# a free comment", ",".join(["frame", "t_s", "extra"] + order)] + rows) + "\n"
    (tmp_path / "o.csv").write_text(text)
    meta, samples = read_landmark_file(tmp_path / "o.csv")
    assert (meta.width, meta.height, meta.view, meta.facing, meta.source) == (640, 480, None, None, None)
    assert meta.fps == pytest.approx(50.0)  # estimated from the time step
    np.testing.assert_allclose(samples[1].landmarks.reshape(-1), vals[1].astype(np.float32))
    assert samples[1].t_ns == 20_000_000


def test_streaming_writer_flushes_every_row(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    samples = make_samples(6)
    with LandmarkWriter(path, META) as w:
        assert path.read_text().startswith(MAGIC + "\n")
        for k, s in enumerate(samples, start=1):
            w.write(s)
            # Readable while still open: a crash now loses nothing already written.
            _, partial = read_landmark_file(path)
            assert len(partial) == k
        with pytest.raises(ValueError):
            w.write(samples[0])  # time going backwards is a programming error
    _, back = read_landmark_file(path)
    assert_same(samples, back)


def test_atomic_write_leaves_nothing_half_written(tmp_path: Path) -> None:
    dest = tmp_path / "lm.csv"
    dest.write_text("previous content\n")

    def broken():
        yield from make_samples(3)
        raise RuntimeError("pose stage crashed")

    with pytest.raises(RuntimeError):
        write_landmark_file(dest, META, broken())
    assert dest.read_text() == "previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lm.csv"]


def test_writer_rejects_bad_landmarks(tmp_path: Path) -> None:
    bad = np.zeros((33, 4), np.float32)
    bad[0, 0] = np.nan
    with LandmarkWriter(tmp_path / "w.csv", META) as w:
        with pytest.raises(ValueError):
            w.write(PoseSample(0, 0, bad, 720, 1280))
        with pytest.raises(ValueError):
            w.write(PoseSample(0, 0, np.zeros((17, 4), np.float32), 720, 1280))


def test_is_landmark_file_and_replay(tmp_path: Path) -> None:
    path = write_landmark_file(tmp_path / "lm.csv", META, make_samples(4))
    odd_name = tmp_path / "landmarks.txt"
    odd_name.write_bytes(path.read_bytes())
    gz = tmp_path / "lm.bin"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    video_like = tmp_path / "clip.mp4"
    video_like.write_bytes(b"\x00\x00\x00\x20ftypisom" + bytes(100))
    assert is_landmark_file(path) and is_landmark_file(odd_name) and is_landmark_file(gz)
    assert is_landmark_file(tmp_path / "missing.csv")  # by extension
    assert not is_landmark_file(video_like)
    assert not is_landmark_file(tmp_path / "missing.mp4")
    meta, it = iter_landmark_samples(gz)
    assert meta == META and [s.frame_index for s in it] == [0, 1, 2, 3]


def test_reads_a_ten_minute_60fps_file_quickly(tmp_path: Path) -> None:
    import time

    n = 10 * 60 * 60
    lm = np.round(np.random.default_rng(0).uniform(0, 700, (33, 4)), 3).astype(np.float32)
    samples = [PoseSample(i, round(i * 1e9 / 60), None if i % 97 == 0 else lm, 720, 1280) for i in range(n)]
    path = write_landmark_file(tmp_path / "long.csv", META, samples)
    t0 = time.perf_counter()
    _, back = read_landmark_file(path)
    elapsed = time.perf_counter() - t0
    assert len(back) == n and back[-1].t_ns == samples[-1].t_ns
    assert elapsed < 10.0, f"reading 36,000 rows took {elapsed:.1f} s"  # ~1.3 s on a 2-core VM


# --------------------------------------------------------------------------------------
# malformed files: InputFileError, one sentence, naming the line


def good_text(n: int = 3) -> list[str]:
    lines = [MAGIC, "# width=720", "# height=1280", "# fps=30", "# view=side", "# facing=left", ",".join(HEADER_COLUMNS)]
    for i in range(n):
        lines.append(f"{i},{i / 30:.6f}," + ",".join(["100.000,200.000,-3.000,0.9000"] * 33))
    return lines  # header is line 7, data rows are lines 8, 9, 10


def _replace_cell(line: str, col: int, value: str) -> str:
    cells = line.split(",")
    cells[col] = value
    return ",".join(cells)


def _malformed_cases() -> list[tuple[str, object, int | None, str]]:
    """(id, lines or raw bytes, expected line number or None, regex the message must match)."""
    g = good_text
    lhip = HEADER_COLUMNS.index("left_hip_y")
    cases: list[tuple[str, object, int | None, str]] = [
        ("empty file", b"", None, r"empty"),
        ("only whitespace", b"\n  \n", None, r"empty"),
        ("no magic line", g()[1:], 1, r"first line must be"),
        ("plain csv", ["frame,t_s,a", "0,0,1"], 1, r"not a GaitCoach landmark file"),
        ("future version", ["# gaitcoach-landmarks v2"] + g()[1:], 1, r"unsupported .*version"),
        ("no header row", g()[:6], 7, r"header row .*missing"),
        ("header without frame,t_s", g()[:6] + [",".join(HEADER_COLUMNS[2:])], 7, r"must start with 'frame,t_s'"),
        ("header lacks columns", g()[:6] + [",".join(c for c in HEADER_COLUMNS if not c.startswith("left_hip"))] + g()[7:], 7, r"lacks the column.*left_hip_x"),
        ("no width", [g()[0]] + g()[2:], 6, r"width=.* missing"),
        ("width not a number", [g()[0], "# width=wide"] + g()[2:], 2, r"width must be a number"),
        ("height fractional", g()[:2] + ["# height=1280.5"] + g()[3:], 3, r"whole number"),
        ("fps zero", g()[:3] + ["# fps=0"] + g()[4:], 4, r"fps must be a positive number"),
        ("bad view", g()[:4] + ["# view=top"] + g()[5:], 5, r"view must be side or rear or front"),
        ("bad facing", g()[:5] + ["# facing=up"] + g()[6:], 6, r"facing must be left or right"),
        ("non-numeric cell", g()[:8] + [_replace_cell(g()[8], lhip, "abc")] + g()[9:], 9, r"'abc' in column 'left_hip_y' is not a number"),
        ("non-numeric t_s", g()[:9] + [_replace_cell(g()[9], 1, "0.1s")], 10, r"'0.1s' in column 't_s'"),
        ("equal t_s", g()[:9] + [_replace_cell(g()[9], 1, g()[8].split(",")[1])], 10, r"strictly increase"),
        ("decreasing t_s", g()[:8] + [_replace_cell(g()[8], 1, "5.0")] + g()[9:], 10, r"0.066667 is not after.*strictly increase"),
        ("too few columns", g()[:9] + [g()[9].rsplit(",", 1)[0]], 10, r"expected 134 columns.*found 133"),
        ("too many columns", g()[:8] + [g()[8] + ",1.0"] + g()[9:], 9, r"expected 134 columns.*found 135"),
        ("empty t_s", g()[:8] + [_replace_cell(g()[8], 1, "")] + g()[9:], 9, r"t_s cell is empty"),
        ("fractional frame", g()[:8] + [_replace_cell(g()[8], 0, "1.5")] + g()[9:], 9, r"frame cell must be a whole number"),
        ("partly empty landmarks", g()[:9] + [_replace_cell(g()[9], lhip, "")], 10, r"left_hip has an empty"),
        ("binary junk", bytes(range(256)) * 4, 1, r"first line must be"),
        ("latin-1 after magic", (MAGIC + "\n# source=caf\xe9.mp4\n").encode("latin-1"), 2, r"not UTF-8"),
    ]
    return cases


CASES = _malformed_cases()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_malformed_files_give_one_sentence_with_line_number(tmp_path: Path, case, suffix: str) -> None:
    _, content, line, pattern = case
    data = content if isinstance(content, bytes) else ("\n".join(content) + "\n").encode()
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    with pytest.raises(InputFileError) as info:
        read_landmark_file(path)
    msg = str(info.value)
    assert re.search(pattern, msg), msg
    if line is not None:
        assert f"line {line}:" in msg, msg
    assert "\n" not in msg and msg.endswith("."), msg
    assert len(re.findall(r"[.!?](\s|$)", msg.replace(path.name, "FILE"))) == 1, msg


@pytest.mark.parametrize("what", ["missing", "folder", "bad gzip"])
def test_unreadable_paths(tmp_path: Path, what: str) -> None:
    if what == "missing":
        path = tmp_path / "nope.csv"
    elif what == "folder":
        path = tmp_path / "dir.csv"
        path.mkdir()
    else:
        path = tmp_path / "cut.csv.gz"
        path.write_bytes(gzip.compress(("\n".join(good_text()) + "\n").encode())[:60])
    with pytest.raises(InputFileError) as info:
        read_landmark_file(path)
    assert "\n" not in str(info.value) and str(info.value).endswith(".")


def test_landmark_names_are_mediapipe_order() -> None:
    assert HEADER_COLUMNS[2 + 4 * 23] == "left_hip_x" and LANDMARK_NAMES[23] == "left_hip"
