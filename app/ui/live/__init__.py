"""The live session window: video, tiles, plots, setup, sources, home practice layout."""
