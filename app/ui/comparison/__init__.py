"""The before/after comparison window: decoders, canvas, panels, pickers."""
