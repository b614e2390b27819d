"""When a service's ECS events become a notification, and when they stay quiet (besides crash loops).

Rules over ``ServiceAlerts`` (``domain/alert_state.py``), pure; the crash-loop rules are in
``domain/crash_loop.py``. Defaults in ``AlertPolicy``, documented in docs/reactions.md:

- ECS service warnings (placement, start, configuration failures) and circuit-breaker rollbacks: one
  alert per kind, quiet until the service reaches steady state.
- SERVICE_STEADY_STATE closes what is open and starts a crash loop's quiet window.
- Fargate Spot: every interruption is counted; ``spot_threshold`` of them within ``spot_window_seconds``
  send one alert per window.
- Anything open for ``remind_after_seconds`` without recovering is told again (a reminder a day).
"""

from __future__ import annotations

from dataclasses import replace

from fargate_ops.domain.alert_policy import AlertPolicy
from fargate_ops.domain.alert_state import (
    CIRCUIT_BREAKER,
    MAX_SPOT_KEPT,
    START_IMPAIRED,
    Alert,
    AlertKind,
    CrashLoop,
    Decision,
    ServiceAlerts,
)
from fargate_ops.domain.crash_loop import crash_alert

# steady state ------------------------------------------------------------------------------------


def on_steady_state(state: ServiceAlerts, at: float, policy: AlertPolicy) -> Decision:
    """SERVICE_STEADY_STATE closes ECS warnings and starts the crash loop's quiet window."""
    closing = sorted(k for k, told in state.open.items() if told <= at)
    loop = state.crash_loop
    starts_quiet_window = (
        loop is not None
        and at >= loop.last_stop_at
        and (state.steady_at is None or state.steady_at < loop.last_stop_at)
    )
    if not closing and not starts_quiet_window:
        return Decision(None, None, "steady state, nothing open")
    parts = []
    if closing:
        parts.append(f"closed {', '.join(closing)}")
    if starts_quiet_window:
        parts.append(f"crash loop ends after {policy.crash_loop_window_seconds:g}s without an abnormal stop")
    return Decision(
        replace(
            state,
            open={k: v for k, v in state.open.items() if k not in closing},
            steady_at=at if starts_quiet_window else state.steady_at,
        ),
        None,
        "steady state: " + "; ".join(parts),
    )


# ECS service warnings and circuit-breaker rollbacks ----------------------------------------------


def _once(state: ServiceAlerts, alert: Alert, at: float, policy: AlertPolicy, what: str) -> Decision:
    told = state.open.get(alert.key)
    if told is not None and at - told < policy.remind_after_seconds:
        return Decision(None, None, f"{what} told already: quiet until steady state")
    return Decision(replace(state, open={**state.open, alert.key: at}), alert, f"{what}: notify")


def on_service_event(
    state: ServiceAlerts, event_name: str, at: float, reason: str | None, policy: AlertPolicy
) -> Decision:
    """SERVICE_TASK_PLACEMENT_FAILURE, SERVICE_TASK_START_IMPAIRED, SERVICE_TASK_CONFIGURATION_FAILURE."""
    if event_name == START_IMPAIRED:
        if state.crash_loop is not None:
            return Decision(None, None, f"{event_name} during the crash loop: quiet")
        recent = tuple(
            s
            for s in sorted(state.stops, key=lambda s: s.at)
            if abs(at - s.at) <= policy.crash_loop_window_seconds
        )
        if recent:
            opened = CrashLoop(
                opened_at=recent[0].at,
                last_stop_at=recent[-1].at,
                fingerprints=tuple(dict.fromkeys(s.fingerprint for s in recent)),
            )
            return Decision(
                replace(state, crash_loop=opened, steady_at=None),
                crash_alert(recent, recent[-1], policy, new_evidence=False, ecs_event=event_name),
                f"crash loop: {event_name} after {len(recent)} abnormal stop(s): notify",
            )
    alert = Alert(AlertKind.SERVICE_EVENT, event_name, {"event_name": event_name, "reason": reason, "at": at})
    return _once(state, alert, at, policy, event_name)


def on_circuit_breaker(
    state: ServiceAlerts,
    event_name: str,
    at: float,
    deployment_id: str | None,
    reason: str | None,
    policy: AlertPolicy,
) -> Decision:
    """SERVICE_DEPLOYMENT_FAILED, or SERVICE_DEPLOYMENT_IN_PROGRESS rolling back: once until steady state."""
    alert = Alert(
        AlertKind.CIRCUIT_BREAKER,
        CIRCUIT_BREAKER,
        {"event_name": event_name, "deployment_id": deployment_id, "reason": reason, "at": at},
    )
    return _once(state, alert, at, policy, "circuit breaker")


# Fargate Spot ------------------------------------------------------------------------------------


def on_spot_interruption(state: ServiceAlerts, at: float, task: str, policy: AlertPolicy) -> Decision:
    if any(t == task for _, t in state.spot):
        return Decision(None, None, "Spot interruption of this task counted already", already_recorded=True)
    ordered = sorted((*state.spot, (at, task)))
    newest = ordered[-1][0]
    recent = tuple(s for s in ordered if newest - s[0] <= policy.spot_window_seconds)[-MAX_SPOT_KEPT:]
    current = replace(state, spot=recent)
    count = len(recent)
    last = state.spot_alerted_at
    if count >= policy.spot_threshold and (last is None or at - last >= policy.spot_window_seconds):
        alert = Alert(
            AlertKind.SPOT,
            "SPOT",
            {
                "interruptions": count,
                "threshold": policy.spot_threshold,
                "window_seconds": policy.spot_window_seconds,
            },
        )
        return Decision(replace(current, spot_alerted_at=at), alert, f"{count} Spot interruptions: notify")
    return Decision(
        current, None, f"Spot interruption {count} in the window (alert at {policy.spot_threshold})"
    )
