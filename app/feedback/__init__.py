"""feedback stage: cue library, cue rules (bandwidth, cooldown, fading), metronome tempo
logic and beat–step synchrony. Pure Python; no audio, no Qt."""
