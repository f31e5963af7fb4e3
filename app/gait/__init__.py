"""gait stage."""
