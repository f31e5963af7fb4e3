"""Feedback in the live window: the metronome/cue panel, its link to the controller, the cue editor."""
