"""The policy the reactions' alerts follow (thresholds, windows, the hourly cap), apart from the state
they remember (alert_state.py, which re-exports it): ``Settings`` reads it in every function, and the
functions other than the events one would otherwise import the reactions' state at each cold start."""

from __future__ import annotations

from fargate_ops.frozen import frozen

CRASH_LOOP_THRESHOLD = 3
CRASH_LOOP_WINDOW_SECONDS = 600
SPOT_THRESHOLD = 5
SPOT_WINDOW_SECONDS = 3600
NOTIFICATIONS_PER_HOUR = 5
REMIND_AFTER_SECONDS = 86_400


@frozen
class AlertPolicy:
    crash_loop_threshold: int = CRASH_LOOP_THRESHOLD
    crash_loop_window_seconds: float = CRASH_LOOP_WINDOW_SECONDS
    spot_threshold: int = SPOT_THRESHOLD
    spot_window_seconds: float = SPOT_WINDOW_SECONDS
    notifications_per_hour: int = NOTIFICATIONS_PER_HOUR
    remind_after_seconds: float = REMIND_AFTER_SECONDS
