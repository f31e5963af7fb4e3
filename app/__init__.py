"""GaitCoach: real-time gait retraining."""

__version__ = "0.1.0"
