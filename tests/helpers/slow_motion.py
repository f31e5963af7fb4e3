"""Make slow-motion test clips from real video: the same frames, re-timestamped.

``slow_down(src, dst, k)`` copies the compressed packets of ``src`` (no re-encoding, so the
pixels are identical) with every timestamp multiplied by ``k``: a 30 fps clip becomes a
30 / k fps clip that plays k times slower than real time, as a phone's slow motion stored
at a lower rate does. Analysed with ``--capture-fps 30`` it must give the original times.
"""

from __future__ import annotations

from pathlib import Path


def slow_down(src: str | Path, dst: str | Path, k: int) -> Path:
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        ins = inp.streams.video[0]
        ost = out.add_stream_from_template(ins)
        ost.time_base = ins.time_base
        for pkt in inp.demux(ins):
            if pkt.dts is None:  # the demuxer's final flush packet
                continue
            if pkt.pts is not None:
                pkt.pts *= k
            pkt.dts *= k
            pkt.duration = (pkt.duration or 0) * k
            pkt.stream = ost
            out.mux(pkt)
    return Path(dst)
