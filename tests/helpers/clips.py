"""Small real-video test clips made from the shared data (PyAV, written to a temp dir)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def runner_then_empty(src: str | Path, dst: str | Path, n_runner: int, n_empty: int,
                      scale: float = 0.5) -> Path:
    """The first ``n_runner`` frames of ``src`` (scaled by ``scale``), then ``n_empty``
    frames of the same size with nobody in them (the first frame's top-left corner
    colour): the runner disappears at frame ``n_runner``. 30 fps H.264."""
    import av

    with av.open(str(src)) as inp:
        frames = []
        for i, f in enumerate(inp.decode(video=0)):
            if i >= n_runner:
                break
            w, h = int(f.width * scale) // 2 * 2, int(f.height * scale) // 2 * 2
            frames.append(f.reformat(width=w, height=h, format="rgb24").to_ndarray())
    blank = np.empty_like(frames[0])
    blank[:] = frames[0][5, 5]
    with av.open(str(dst), "w") as out:
        st = out.add_stream("libx264", rate=30)
        st.width, st.height = frames[0].shape[1], frames[0].shape[0]
        st.pix_fmt = "yuv420p"
        st.options = {"preset": "ultrafast", "crf": "20"}
        for img in frames + [blank] * n_empty:
            for pkt in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    return Path(dst)


def cut_clip(src: str | Path, dst: str | Path, start: int, n_frames: int,
             scale: float = 1.0) -> Path:
    """Frames ``start`` .. ``start + n_frames - 1`` of ``src`` (scaled by ``scale``)
    re-encoded as a 30 fps H.264 clip (PyAV): a short real treadmill run."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        st = None
        for i, f in enumerate(inp.decode(video=0)):
            if i >= start + n_frames:
                break
            if i < start:
                continue
            w, h = int(f.width * scale) // 2 * 2, int(f.height * scale) // 2 * 2
            img = f.reformat(width=w, height=h, format="rgb24").to_ndarray()
            if st is None:
                st = out.add_stream("libx264", rate=30)
                st.width, st.height, st.pix_fmt = w, h, "yuv420p"
                st.options = {"preset": "veryfast", "crf": "18"}
            for pkt in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    return Path(dst)
