"""Crash loops, both rules side by side: during a deploy, and outside one.

- **During a deploy** (the green slot a deploy waits on): ``crash_loop_reached``: ``threshold`` abnormal
  stops of green over the whole deploy fail its wait (``GreenCrashLoopError``), whatever their spacing;
  the deploy rolls back, so there is nothing to tell apart.
- **Outside a deploy**: ``on_abnormal_stop``: ``crash_loop_threshold`` abnormal stops within
  ``crash_loop_window_seconds`` of each other open a crash loop and send one alert. While it is open,
  further stops stay quiet unless they bring new evidence (a fingerprint not seen in this loop: another
  exit code, reason or task definition). It ends when the service reaches steady state and then runs a
  whole window without an abnormal stop. SERVICE_TASK_START_IMPAIRED is ECS's own word for the same
  trouble (``domain/alerts.py``): during a crash loop it is quiet, and with abnormal stops already
  recorded it opens the crash loop (one message, with the evidence).

Both read the same threshold (``CRASH_LOOP_THRESHOLD``, the template's ``CrashLoopThreshold``). What
counts as abnormal is ``domain/abnormal.py``'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from fargate_ops.domain.alert_policy import AlertPolicy
from fargate_ops.domain.alert_state import (
    MAX_STOPS_KEPT,
    AbnormalStop,
    Alert,
    AlertKind,
    CrashLoop,
    Decision,
    ServiceAlerts,
)


def crash_loop_reached(abnormal_stops: int, threshold: int) -> bool:
    """During a deploy: green's abnormal stops so far fail its wait at the threshold."""
    return abnormal_stops >= threshold


# outside a deploy -------------------------------------------------------------------------------


def stops_in_window(stops: Iterable[AbnormalStop], policy: AlertPolicy) -> tuple[AbnormalStop, ...]:
    """The stops within one window of the newest, oldest first (arrival order does not matter)."""
    ordered = sorted(stops, key=lambda s: (s.at, s.task))
    if not ordered:
        return ()
    newest = ordered[-1].at
    kept = [s for s in ordered if newest - s.at <= policy.crash_loop_window_seconds]
    return tuple(kept[-MAX_STOPS_KEPT:])


def _end_finished_loop(state: ServiceAlerts, at: float, policy: AlertPolicy) -> ServiceAlerts:
    """Close the crash loop if the service ran a whole window in steady state, or it went quiet for a day."""
    loop = state.crash_loop
    if loop is None:
        return state
    steady = state.steady_at
    if steady is not None and steady >= loop.last_stop_at and at - steady >= policy.crash_loop_window_seconds:
        return replace(
            state,
            crash_loop=None,
            steady_at=None,
            recovered_at=steady,
            stops=tuple(s for s in state.stops if s.at >= steady),
        )
    if at - loop.last_stop_at >= policy.remind_after_seconds:
        return replace(state, crash_loop=None, steady_at=None)
    return state


def crash_alert(
    stops: tuple[AbnormalStop, ...], latest: AbnormalStop, policy: AlertPolicy, **extra: Any
) -> Alert:
    return Alert(
        AlertKind.CRASH_LOOP,
        "CRASH_LOOP",
        {
            "abnormal_stops": len(stops),
            "threshold": policy.crash_loop_threshold,
            "window_seconds": policy.crash_loop_window_seconds,
            "latest": dict(latest.evidence),
            "stops": [dict(s.evidence) for s in stops],
            **extra,
        },
    )


def on_abnormal_stop(state: ServiceAlerts, stop: AbnormalStop, policy: AlertPolicy) -> Decision:
    if any(s.task == stop.task for s in state.stops):
        return Decision(None, None, "abnormal stop of this task counted already", already_recorded=True)
    current = _end_finished_loop(state, stop.at, policy)
    if current.recovered_at is not None and stop.at < current.recovered_at:
        changed = current if current != state else None
        return Decision(changed, None, "abnormal stop from before the service recovered: not counted")
    stops = stops_in_window((*current.stops, stop), policy)
    current = replace(current, stops=stops)
    if not any(s.task == stop.task for s in stops):
        return Decision(current if current != state else None, None, "abnormal stop outside the window")
    loop = current.crash_loop
    if loop is not None:
        ongoing = replace(loop, last_stop_at=max(loop.last_stop_at, stop.at))
        if stop.fingerprint in loop.fingerprints:
            return Decision(replace(current, crash_loop=ongoing), None, "crash loop continues: quiet")
        ongoing = replace(ongoing, fingerprints=(*loop.fingerprints, stop.fingerprint))
        return Decision(
            replace(current, crash_loop=ongoing),
            crash_alert(stops, stop, policy, new_evidence=True),
            "crash loop continues with new evidence: notify",
        )
    count = len(stops)
    if count < policy.crash_loop_threshold:
        return Decision(
            current, None, f"abnormal stop {count} of {policy.crash_loop_threshold} in the window"
        )
    opened = CrashLoop(
        opened_at=stops[0].at,
        last_stop_at=stops[-1].at,
        fingerprints=tuple(dict.fromkeys(s.fingerprint for s in stops)),
    )
    return Decision(
        replace(current, crash_loop=opened, steady_at=None),
        crash_alert(stops, stop, policy, new_evidence=False),
        f"crash loop: {count} abnormal stops within {policy.crash_loop_window_seconds:g}s: notify",
    )
