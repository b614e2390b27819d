"""The knobs of the reactions outside deploys, read from the function's environment at invocation time.

Every one has a default (docs/reactions.md); the template sets none of them unless an operator wants to.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from fargate_ops.domain.alerts import (
    CRASH_LOOP_THRESHOLD,
    CRASH_LOOP_WINDOW_SECONDS,
    NOTIFICATIONS_PER_HOUR,
    SPOT_THRESHOLD,
    SPOT_WINDOW_SECONDS,
    AlertPolicy,
)
from fargate_ops.settings import _positive_int

TIMELINE_RETENTION_DAYS = 14


@dataclass(frozen=True, slots=True)
class AlertSettings:
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    timeline_retention_days: int = TIMELINE_RETENTION_DAYS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AlertSettings:
        env: Mapping[str, str] = os.environ if environ is None else environ
        return cls(
            policy=AlertPolicy(
                # Shared with the deploy engine: N abnormal stops fail a green wait, or make a crash loop.
                crash_loop_threshold=_positive_int(env, "CRASH_LOOP_THRESHOLD", CRASH_LOOP_THRESHOLD),
                crash_loop_window_seconds=_positive_int(
                    env, "CRASH_LOOP_WINDOW_SECONDS", CRASH_LOOP_WINDOW_SECONDS
                ),
                spot_threshold=_positive_int(env, "SPOT_INTERRUPTION_THRESHOLD", SPOT_THRESHOLD),
                spot_window_seconds=_positive_int(
                    env, "SPOT_INTERRUPTION_WINDOW_SECONDS", SPOT_WINDOW_SECONDS
                ),
                notifications_per_hour=_positive_int(env, "NOTIFICATIONS_PER_HOUR", NOTIFICATIONS_PER_HOUR),
            ),
            timeline_retention_days=_positive_int(env, "TIMELINE_RETENTION_DAYS", TIMELINE_RETENTION_DAYS),
        )
