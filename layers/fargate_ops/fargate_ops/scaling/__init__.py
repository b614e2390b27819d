"""Scheduled scaling: the reconciler (reconciler.py) over domain/schedule.py and domain/scaling.py."""
