"""audio stage: the one audio engine (metronome clicks + spoken cues on one stream).

sounddevice is imported lazily (``app.audio.backend.load_sounddevice``): importing this
package has no side effects and works without PortAudio.
"""

from app.audio.backend import OutputDevice, list_output_devices, resolve_output_device
from app.audio.engine import AudioEngine, BeatBatch, EngineStatus, VoiceStart

__all__ = [
    "AudioEngine", "BeatBatch", "EngineStatus", "OutputDevice", "VoiceStart",
    "list_output_devices", "resolve_output_device",
]
