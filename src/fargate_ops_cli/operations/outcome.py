"""A deploy's outcome as an operator sees it: the execution's end plus the record's story."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fargate_ops_cli.operations.errors import ExitCode

# The deploy state machine's Fail states name these errors (statemachines/deploy.asl.json).
_FAILED_ERRORS = {
    "DeployRolledBack": ("ROLLED_BACK", ExitCode.ROLLED_BACK),
    # Traffic may be split and the lease is held: `fargate-ops recover DEPLOY_ID --apply`.
    "DeployRollbackFailed": ("ROLLBACK_FAILED", ExitCode.FAILED),
    "LeaseHeldError": ("REJECTED", ExitCode.REJECTED),
    "DeployRejected": ("REJECTED_INPUT", ExitCode.BAD_INPUT),
}


def outcome(execution_status: str, error: str | None) -> tuple[str, ExitCode | None]:
    """(status, exit code); the exit code is None while the deploy is still running."""
    if execution_status == "RUNNING":
        return "RUNNING", None
    if execution_status == "SUCCEEDED":
        return "SUCCEEDED", ExitCode.SUCCEEDED
    if execution_status == "FAILED" and error in _FAILED_ERRORS:
        return _FAILED_ERRORS[error]
    return ("ABORTED" if execution_status == "ABORTED" else "FAILED"), ExitCode.FAILED


def summarize(deploy_id: str, execution: dict[str, Any], record: dict[str, Any] | None) -> dict[str, Any]:
    """What `status` prints, and what `deploy --wait` redraws."""
    record = record or {}
    status, code = outcome(execution["status"], execution.get("error"))
    steps = record.get("steps") or []
    step_index = record.get("step_index")
    waiting = record.get("waiting") or None
    summary: dict[str, Any] = {
        "deploy_id": deploy_id,
        "status": status,
        "exit_code": int(code) if code is not None else None,
        "application": record.get("application"),
        "cluster": record.get("cluster"),
        "strategy": record.get("strategy"),
        "steps": steps,
        "step_index": step_index,
        "weights": record.get("weights") or {},
        "waiting": {k: v for k, v in waiting.items() if k != "token"} if isinstance(waiting, dict) else None,
        "live": (record.get("live") or {}).get("service"),
        "green": (record.get("green") or {}).get("service"),
        "rollback_reason": record.get("rollback_reason"),
        "analysis": record.get("analysis") or [],
        "execution_arn": execution.get("executionArn"),
        "started_at": _iso(execution.get("startDate")),
        "stopped_at": _iso(execution.get("stopDate")),
    }
    if execution["status"] != "RUNNING" and execution.get("error"):
        summary["error"] = execution.get("error")
        summary["cause"] = execution.get("cause")
    return summary


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value) if value else None
