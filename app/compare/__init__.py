"""Before/after comparison: load two clips, sync them by gait events, export a report.

- :mod:`app.compare.clip`: ``load_clip(spec)`` → :class:`~app.compare.clip.Clip` (a video
  file, a session folder or a session id, optionally ``@START-END`` seconds).
- :mod:`app.compare.sync`: pure numpy stride-phase sync (``sync_clips`` / ``sync_strides``).
- :mod:`app.compare.render`: cv2 drawing of the skeleton/angle overlay on video frames.
- :mod:`app.compare.report`: metric table, PDF report, per-step CSV, side-by-side MP4.

No Qt here: the comparison view in ``app.ui`` builds on these modules.
"""
