"""Sessions: the browser, history plot, the recording control and the clinic store link."""
