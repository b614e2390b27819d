"""Deploy decisions: statuses, lease length, readiness evidence, and the rollback explanation."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
ROLLED_BACK = "ROLLED_BACK"
FAILED = "FAILED"
FINAL_STATUSES = frozenset({SUCCEEDED, ROLLED_BACK, FAILED})

# Margin on top of the longest the deploy can legitimately hold the lease (readiness + bakes): covers
# Lambda retries, back-offs and the rollback itself.
LEASE_MARGIN_SECONDS = 900

# Step Functions' own error names that mean "the wait ran out".
TIMEOUT_ERRORS = frozenset({"States.Timeout", "States.HeartbeatTimeout"})


def lease_seconds(readiness_timeout_seconds: int, total_bake_seconds: int) -> int:
    return readiness_timeout_seconds + total_bake_seconds + LEASE_MARGIN_SECONDS


def steady_event_is_fresh(event_epoch: float | None, since_epoch: float | None) -> bool:
    """A SERVICE_STEADY_STATE counts only if it was emitted after green was updated.

    Steady-state events repeat, and one emitted before the update describes the old revision. Event
    times have second precision, so ``since`` is floored.
    """
    if event_epoch is None or since_epoch is None:
        return True
    return event_epoch >= math.floor(since_epoch)


def crash_loop_reached(abnormal_stops: int, threshold: int) -> bool:
    return abnormal_stops >= threshold


def _parse_cause(cause: str | None) -> Any:
    if not cause:
        return None
    try:
        return json.loads(cause)
    except ValueError:
        return cause


def rollback_reason(
    error: str | None,
    cause: str | None,
    *,
    readiness_timeout_seconds: int,
    stops: Sequence[Mapping[str, Any]] = (),
    service_events: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Why the deploy was rolled back, in words a person on call can act on.

    ``stops`` and ``service_events`` are the evidence the event handler collected in the WAIT item
    (stopped tasks with reasons and exit codes, ECS service warnings); a crash-loop failure already
    carries its evidence in ``cause``.
    """
    error = error or "Unknown"
    detail = _parse_cause(cause)
    if error in TIMEOUT_ERRORS:
        summary = f"green was not ready within {readiness_timeout_seconds}s"
    elif error == "GreenCrashLoopError":
        summary = "green tasks kept stopping abnormally"
    elif error == "GreenNotReadyError":
        summary = "ECS could not complete green's deployment"
    else:
        summary = f"{error} during the deploy"
    reason: dict[str, Any] = {"error": error, "summary": summary, "cause": detail}
    if isinstance(detail, Mapping) and "stops" in detail:
        reason["stops"] = list(detail["stops"])
    elif stops:
        reason["stops"] = [dict(s) for s in stops]
    if service_events:
        reason["service_events"] = [dict(e) for e in service_events]
    return reason


def describe_reason(reason: Mapping[str, Any]) -> str:
    """One line for a notification subject or a CLI summary."""
    text = str(reason.get("summary", reason.get("error", "unknown")))
    stops = reason.get("stops") or []
    if stops:
        last = stops[-1]
        codes = ", ".join(f"{name}={code}" for name, code in (last.get("exit_codes") or {}).items())
        text += f"; last stop: {last.get('stop_code')} {last.get('stopped_reason') or ''}".rstrip()
        if codes:
            text += f" (exit codes {codes})"
    return text
