"""Deploy decisions: statuses, readiness evidence, and the rollback explanation (the lease's length and
the plan's longest path: deploy_duration.py)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
ROLLED_BACK = "ROLLED_BACK"
FAILED = "FAILED"
# Rollback itself failed: traffic may be split, so the record keeps the lease held until an operator
# runs `fargate-ops recover DEPLOY_ID --apply` (docs/deploys.md).
ROLLBACK_FAILED = "ROLLBACK_FAILED"
FINAL_STATUSES = frozenset({SUCCEEDED, ROLLED_BACK, FAILED, ROLLBACK_FAILED})

# Step Functions' own error names that mean "the wait ran out".
TIMEOUT_ERRORS = frozenset({"States.Timeout", "States.HeartbeatTimeout"})

# The state names of the deploy state machine whose timeouts mean something to a person.
APPROVAL_STATE = "AwaitApproval"
VALIDATION_STATES = frozenset({"ValidationHook", "RouteTestTraffic"})
MANUAL_ROLLBACK = "ManualRollback"


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
    """A cause as data: JSON when it is; a Lambda error whose message is JSON (our evidence) unwrapped."""
    if not cause:
        return None
    try:
        parsed = json.loads(cause)
    except ValueError:
        return cause
    if isinstance(parsed, Mapping) and "errorType" in parsed and isinstance(parsed.get("errorMessage"), str):
        try:
            inner = json.loads(parsed["errorMessage"])
        except ValueError:
            return parsed
        if isinstance(inner, Mapping):
            return inner
    return parsed


def _summary(error: str, detail: Any, state: str | None, timeouts: Mapping[str, int]) -> str:
    if error in TIMEOUT_ERRORS:
        if state == APPROVAL_STATE:
            return f"approval was not given within {timeouts.get('approval', 0)}s"
        return f"green was not ready within {timeouts.get('readiness', 0)}s"
    if error == "GreenCrashLoopError":
        return "green tasks kept stopping abnormally (crash loop)"
    if error == "GreenNotReadyError":
        return "ECS could not complete green's deployment: green was not ready"
    if error == "AlarmFiringError":
        alarms = detail.get("alarms") if isinstance(detail, Mapping) else None
        names = ", ".join(str(a.get("name")) for a in alarms or [] if isinstance(a, Mapping))
        return f"alarm {names or '(watched)'} went to ALARM"
    if error == "AnalysisFailedError":
        text = detail.get("reason") if isinstance(detail, Mapping) else detail
        return f"analysis failed: {text}"
    if error == "AnalysisInconclusiveError":
        text = detail.get("reason") if isinstance(detail, Mapping) else detail
        return f"analysis {text}"
    if error == "MetricsNotReadyError":
        return "the analysis never got its window's metrics from CloudWatch"
    if error == "ListenerDriftError":
        text = detail.get("reason") if isinstance(detail, Mapping) else detail
        return str(text or "the listener was changed outside the deploy; the deploy stopped")
    if error == "DeployAbortedError":
        return str(detail) if isinstance(detail, str) and detail else "aborted by operator"
    if state in VALIDATION_STATES:
        return f"validation before production traffic failed: {error}"
    if error == MANUAL_ROLLBACK:
        return "manual rollback"
    return f"{error} during the deploy" + (f" (in {state})" if state else "")


def rollback_reason(
    error: str | None,
    cause: str | None,
    *,
    readiness_timeout_seconds: int,
    approval_timeout_seconds: int = 0,
    state: str | None = None,
    stops: Sequence[Mapping[str, Any]] = (),
    service_events: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Why the deploy was rolled back, in words a person on call can act on.

    ``state`` is the state machine state that failed. ``stops`` and ``service_events`` are the evidence
    the event handler collected in the WAIT item (stopped tasks with reasons and exit codes, ECS service
    warnings); a crash-loop failure already carries its evidence in ``cause``, an alarm its name and
    reason, a failed analysis its numbers.
    """
    error = error or "Unknown"
    detail = _parse_cause(cause)
    timeouts = {"readiness": readiness_timeout_seconds, "approval": approval_timeout_seconds}
    summary = _summary(error, detail, state, timeouts)
    reason: dict[str, Any] = {"error": error, "summary": summary, "cause": detail}
    if state:
        reason["state"] = state
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
