"""Batch analysis of many recordings on Dask (``python -m app batch``)."""
