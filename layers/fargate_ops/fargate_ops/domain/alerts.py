"""When a service's ECS events become a notification, and when they stay quiet.

One value per service (``ServiceAlerts``, kept in the service's REACTIONS item) remembers the recent
abnormal stops, what people were already told, and how many notifications went out in the last hour.
Every function here takes that value and one fact, and returns a ``Decision``: the next value (``None``
when nothing changes, so nothing is written) and the alert to send, if any. Pure: no boto3, no clock.

The rules (defaults in ``AlertPolicy``, documented in docs/reactions.md):

- crash loop: ``crash_loop_threshold`` abnormal stops within ``crash_loop_window_seconds`` of each other
  open a crash loop and send one alert. While it is open, further stops stay quiet unless they bring new
  evidence (a fingerprint not seen in this loop: another exit code, reason or task definition). It ends
  when the service reaches steady state and then runs a whole window without an abnormal stop.
  SERVICE_TASK_START_IMPAIRED is ECS's own word for the same trouble: during a crash loop it is quiet,
  and with abnormal stops already recorded it opens the crash loop (one message, with the evidence).
- ECS service warnings (placement, start, configuration failures) and circuit-breaker rollbacks: one
  alert per kind, quiet until the service reaches steady state.
- Fargate Spot: every interruption is counted; ``spot_threshold`` of them within ``spot_window_seconds``
  send one alert per window.
- Anything open for ``remind_after_seconds`` without recovering is told again (a reminder a day).
- At most ``notifications_per_hour`` per service; the rest are counted as suppressed and the next
  message that goes out says how many.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

CRASH_LOOP_THRESHOLD = 3
CRASH_LOOP_WINDOW_SECONDS = 600
SPOT_THRESHOLD = 5
SPOT_WINDOW_SECONDS = 3600
NOTIFICATIONS_PER_HOUR = 5
REMIND_AFTER_SECONDS = 86_400
RATE_WINDOW_SECONDS = 3600
MAX_STOPS_KEPT = 20
MAX_SPOT_KEPT = 50

PLACEMENT_FAILURE = "SERVICE_TASK_PLACEMENT_FAILURE"
START_IMPAIRED = "SERVICE_TASK_START_IMPAIRED"
CONFIGURATION_FAILURE = "SERVICE_TASK_CONFIGURATION_FAILURE"
ALERTING_SERVICE_EVENTS = frozenset({PLACEMENT_FAILURE, START_IMPAIRED, CONFIGURATION_FAILURE})
CIRCUIT_BREAKER = "CIRCUIT_BREAKER"


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    crash_loop_threshold: int = CRASH_LOOP_THRESHOLD
    crash_loop_window_seconds: float = CRASH_LOOP_WINDOW_SECONDS
    spot_threshold: int = SPOT_THRESHOLD
    spot_window_seconds: float = SPOT_WINDOW_SECONDS
    notifications_per_hour: int = NOTIFICATIONS_PER_HOUR
    remind_after_seconds: float = REMIND_AFTER_SECONDS


class AlertKind(StrEnum):
    CRASH_LOOP = "crash_loop"
    SERVICE_EVENT = "service_event"
    CIRCUIT_BREAKER = "circuit_breaker"
    SPOT = "spot_interruptions"


@dataclass(frozen=True, slots=True)
class AbnormalStop:
    """One failed task: when (the stop's own time), which task, and the evidence shown to people."""

    at: float
    task: str
    fingerprint: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "task": self.task,
            "fingerprint": self.fingerprint,
            "evidence": dict(self.evidence),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> AbnormalStop:
        return cls(
            float(raw["at"]), str(raw["task"]), str(raw["fingerprint"]), dict(raw.get("evidence") or {})
        )


@dataclass(frozen=True, slots=True)
class CrashLoop:
    opened_at: float
    last_stop_at: float
    fingerprints: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServiceAlerts:
    """What one service's reactions remember between events."""

    stops: tuple[AbnormalStop, ...] = ()
    crash_loop: CrashLoop | None = None
    open: Mapping[str, float] = field(default_factory=dict)  # alert key -> time of the event told
    steady_at: float | None = None  # first steady state after the crash loop's last stop
    recovered_at: float | None = None  # stops from before this belong to an ended crash loop
    spot: tuple[tuple[float, str], ...] = ()  # (time, task) of recent Spot interruptions
    spot_alerted_at: float | None = None
    sent: tuple[float, ...] = ()  # when notifications went out in the last hour (rate limit)
    suppressed: int = 0  # notifications held back by the rate limit since the last one sent

    def as_dict(self) -> dict[str, Any]:
        loop = self.crash_loop
        return {
            "stops": [s.as_dict() for s in self.stops],
            "crash_loop": None
            if loop is None
            else {
                "opened_at": loop.opened_at,
                "last_stop_at": loop.last_stop_at,
                "fingerprints": list(loop.fingerprints),
            },
            "open": dict(self.open),
            "steady_at": self.steady_at,
            "recovered_at": self.recovered_at,
            "spot": [[at, task] for at, task in self.spot],
            "spot_alerted_at": self.spot_alerted_at,
            "sent": list(self.sent),
            "suppressed": self.suppressed,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> ServiceAlerts:
        if not raw:
            return cls()
        loop = raw.get("crash_loop")
        return cls(
            stops=tuple(AbnormalStop.from_dict(s) for s in raw.get("stops") or []),
            crash_loop=None
            if not loop
            else CrashLoop(
                float(loop["opened_at"]), float(loop["last_stop_at"]), tuple(loop.get("fingerprints") or [])
            ),
            open={str(k): float(v) for k, v in (raw.get("open") or {}).items()},
            steady_at=_float_or_none(raw.get("steady_at")),
            recovered_at=_float_or_none(raw.get("recovered_at")),
            spot=tuple((float(at), str(task)) for at, task in raw.get("spot") or []),
            spot_alerted_at=_float_or_none(raw.get("spot_alerted_at")),
            sent=tuple(float(t) for t in raw.get("sent") or []),
            suppressed=int(raw.get("suppressed") or 0),
        )


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    key: str  # what deduplicates it: "CRASH_LOOP", an ECS event name, "CIRCUIT_BREAKER", "SPOT"
    facts: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Decision:
    state: ServiceAlerts | None  # None: nothing changed, nothing to write
    alert: Alert | None
    outcome: str  # for the log line and the handler's result
    known: bool = False  # the fact is in the state already (a stale or redelivered event): write nothing


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


# crash loops -------------------------------------------------------------------------------------


def _in_window(stops: Iterable[AbnormalStop], policy: AlertPolicy) -> tuple[AbnormalStop, ...]:
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


def _crash_alert(
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
        return Decision(None, None, "abnormal stop of this task counted already", known=True)
    current = _end_finished_loop(state, stop.at, policy)
    if current.recovered_at is not None and stop.at < current.recovered_at:
        changed = current if current != state else None
        return Decision(changed, None, "abnormal stop from before the service recovered: not counted")
    stops = _in_window((*current.stops, stop), policy)
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
            _crash_alert(stops, stop, policy, new_evidence=True),
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
        _crash_alert(stops, stop, policy, new_evidence=False),
        f"crash loop: {count} abnormal stops within {policy.crash_loop_window_seconds:g}s: notify",
    )


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
                _crash_alert(recent, recent[-1], policy, new_evidence=False, ecs_event=event_name),
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
        return Decision(None, None, "Spot interruption of this task counted already", known=True)
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


# rate limit --------------------------------------------------------------------------------------


def admit(state: ServiceAlerts, now: float, policy: AlertPolicy) -> tuple[ServiceAlerts, bool, int]:
    """``(next state, may send, how many were suppressed before it)``: at most N per rolling hour."""
    recent = tuple(t for t in state.sent if now - t < RATE_WINDOW_SECONDS)
    if len(recent) >= policy.notifications_per_hour:
        return replace(state, sent=recent, suppressed=state.suppressed + 1), False, 0
    return replace(state, sent=(*recent, now), suppressed=0), True, state.suppressed
