"""Operator controls on a running deploy: promote, approve, abort, rollback.

A deploy that waits keeps `waiting: {kind, token, ...}` in its record (kinds: ready, approval, bake,
rollback_window). Each control checks the kind, then completes that task token: the state machine
goes on from there. Nothing polls; nothing else is touched.
"""

from __future__ import annotations

import json
from typing import Any

from fargate_ops_cli.operations.errors import NotNowError
from fargate_ops_cli.operations.records import require_deploy


def _waiting(dynamodb: Any, table: str, deploy_id: str, allowed: set[str], verb: str) -> dict[str, Any]:
    record = require_deploy(dynamodb, table, deploy_id)
    waiting = record.get("waiting")
    if not isinstance(waiting, dict):
        waiting = {}
    kind = waiting.get("kind")
    if kind not in allowed or not waiting.get("token"):
        state = f"waiting for {kind}" if kind else f"status {record.get('status', 'unknown')}, not waiting"
        raise NotNowError(
            f"cannot {verb} deploy {deploy_id!r} now ({state}); {verb} applies while it waits for: "
            f"{', '.join(sorted(allowed))}. `fargate-ops status {deploy_id}` shows where it is."
        )
    return dict(waiting)


def _succeed(sfn: Any, token: str, output: dict[str, Any], deploy_id: str, verb: str) -> None:
    try:
        sfn.send_task_success(taskToken=token, output=json.dumps(output))
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        raise NotNowError(f"deploy {deploy_id!r} moved on before {verb} arrived; check its status") from None


def promote(sfn: Any, dynamodb: Any, table: str, deploy_id: str, full: bool = False) -> dict[str, Any]:
    """End the current bake now; with `full`, skip every remaining step and go to 100%."""
    waiting = _waiting(dynamodb, table, deploy_id, {"bake"}, "promote")
    _succeed(sfn, waiting["token"], {"action": "promote", "full": full}, deploy_id, "promote")
    return {
        "deploy_id": deploy_id,
        "action": "promote",
        "full": full,
        "step_index": waiting.get("step_index"),
    }


def approve(sfn: Any, dynamodb: Any, table: str, deploy_id: str) -> dict[str, Any]:
    waiting = _waiting(dynamodb, table, deploy_id, {"approval"}, "approve")
    _succeed(sfn, waiting["token"], {"action": "approve"}, deploy_id, "approve")
    return {"deploy_id": deploy_id, "action": "approve", "step_index": waiting.get("step_index")}


def abort(sfn: Any, dynamodb: Any, table: str, deploy_id: str, reason: str = "") -> dict[str, Any]:
    """Fail the current wait: the deploy takes its rollback path (traffic back, green to zero)."""
    waiting = _waiting(dynamodb, table, deploy_id, {"ready", "approval", "bake"}, "abort")
    cause = f"aborted by operator: {reason}" if reason else "aborted by operator"
    try:
        sfn.send_task_failure(taskToken=waiting["token"], error="DeployAbortedError", cause=cause)
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        raise NotNowError(
            f"deploy {deploy_id!r} moved on before the abort arrived; check its status"
        ) from None
    return {"deploy_id": deploy_id, "action": "abort", "reason": cause}


def rollback(sfn: Any, dynamodb: Any, table: str, deploy_id: str) -> dict[str, Any]:
    """After a success, within the rollback window: traffic back to the old slot, still warm."""
    waiting = _waiting(dynamodb, table, deploy_id, {"rollback_window"}, "roll back")
    _succeed(sfn, waiting["token"], {"action": "rollback"}, deploy_id, "rollback")
    return {"deploy_id": deploy_id, "action": "rollback"}
