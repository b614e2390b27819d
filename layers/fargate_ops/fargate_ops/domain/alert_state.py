"""What one service's reactions remember between events, and the policy they follow.

One value per service (``ServiceAlerts``, kept in the service's REACTIONS item) remembers the recent
abnormal stops, what people were already told, and how many notifications went out in the last hour.
The rules that read and return it are ``domain/crash_loop.py`` (abnormal stops) and
``domain/alerts.py`` (steady state, ECS warnings, circuit breakers, Spot), following the policy of
``domain/alert_policy.py``. Each takes the value and one fact and returns a ``Decision``: the next
value (``None`` when nothing changes, so nothing is written) and the alert to send, if any. Pure: no
boto3, no clock.

- At most ``notifications_per_hour`` per service (``admit``); the rest are counted as suppressed and the
  next message that goes out says how many.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field, replace
from enum import StrEnum
from typing import Any

from fargate_ops.domain.alert_policy import AlertPolicy
from fargate_ops.frozen import frozen

RATE_WINDOW_SECONDS = 3600
MAX_STOPS_KEPT = 20
MAX_SPOT_KEPT = 50

PLACEMENT_FAILURE = "SERVICE_TASK_PLACEMENT_FAILURE"
START_IMPAIRED = "SERVICE_TASK_START_IMPAIRED"
CONFIGURATION_FAILURE = "SERVICE_TASK_CONFIGURATION_FAILURE"
ALERTING_SERVICE_EVENTS = frozenset({PLACEMENT_FAILURE, START_IMPAIRED, CONFIGURATION_FAILURE})
CIRCUIT_BREAKER = "CIRCUIT_BREAKER"


class AlertKind(StrEnum):
    CRASH_LOOP = "crash_loop"
    SERVICE_EVENT = "service_event"
    CIRCUIT_BREAKER = "circuit_breaker"
    SPOT = "spot_interruptions"


@frozen
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


@frozen
class CrashLoop:
    opened_at: float
    last_stop_at: float
    fingerprints: tuple[str, ...]


@frozen
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


@frozen
class Alert:
    kind: AlertKind
    key: str  # what deduplicates it: "CRASH_LOOP", an ECS event name, "CIRCUIT_BREAKER", "SPOT"
    facts: Mapping[str, Any]


@frozen
class Decision:
    state: ServiceAlerts | None  # None: nothing changed, nothing to write
    alert: Alert | None
    outcome: str  # for the log line and the handler's result
    # the fact is in the state already (a stale or redelivered event): write nothing
    already_recorded: bool = False


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


# rate limit --------------------------------------------------------------------------------------


def admit(state: ServiceAlerts, now: float, policy: AlertPolicy) -> tuple[ServiceAlerts, bool, int]:
    """``(next state, may send, how many were suppressed before it)``: at most N per rolling hour."""
    recent = tuple(t for t in state.sent if now - t < RATE_WINDOW_SECONDS)
    if len(recent) >= policy.notifications_per_hour:
        return replace(state, sent=recent, suppressed=state.suppressed + 1), False, 0
    return replace(state, sent=(*recent, now), suppressed=0), True, state.suppressed
