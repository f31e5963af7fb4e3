"""Clinical picture, programme, load log and the camera-coached exercises."""
