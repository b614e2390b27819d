"""Operator controls for scenario timelines: exactly the Step Functions calls of the operator contract.

A deploy that waits keeps ``waiting: {kind, token, step_index, since, timeout_at}`` in its record
(``DEPLOY#<id>``/``META``). Each control reads it, checks the kind, and completes that token:

    promote   SendTaskSuccess {"action": "promote", "full": bool}     while kind is bake
    approve   SendTaskSuccess {"action": "approve"}                    while kind is approval
    abort     SendTaskFailure DeployAbortedError "aborted by operator: <reason>"   ready, approval, bake
    rollback  SendTaskSuccess {"action": "rollback"}                   while kind is rollback_window

The CLI verbs (src/fargate_ops_cli/operations/controls.py) make the same calls; this module keeps the
local runner independent of them. Refusals come back as text for the narrative, never as exceptions:
a control that arrives at the wrong moment is part of what a scenario may test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ALLOWED = {
    "promote": frozenset({"bake"}),
    "approve": frozenset({"approval"}),
    "abort": frozenset({"ready", "approval", "bake"}),
    "rollback": frozenset({"rollback_window"}),
}
ABORT_ERROR = "DeployAbortedError"


@dataclass(frozen=True)
class ControlResult:
    ok: bool
    text: str


def _waiting(dynamodb: Any, table: str, deploy_id: str) -> dict[str, Any] | None:
    from boto3.dynamodb.types import TypeDeserializer

    item = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": f"DEPLOY#{deploy_id}"}, "sk": {"S": "META"}}, ConsistentRead=True
    ).get("Item")
    if not item or "waiting" not in item:
        return None
    waiting = TypeDeserializer().deserialize(item["waiting"])
    return dict(waiting) if isinstance(waiting, dict) else None


def control(
    kind: str,
    sfn: Any,
    dynamodb: Any,
    table: str,
    deploy_id: str,
    *,
    full: bool = False,
    reason: str = "",
) -> ControlResult:
    """Send ``kind`` (promote, approve, abort, rollback) to the deploy's current wait."""
    allowed = ALLOWED[kind]
    waiting = _waiting(dynamodb, table, deploy_id)
    waiting_kind = (waiting or {}).get("kind")
    if waiting is None or waiting_kind not in allowed or not waiting.get("token"):
        state = f"it waits for {waiting_kind}" if waiting_kind else "it is not waiting"
        return ControlResult(
            False, f"{kind} refused: {state} ({kind} applies to: {', '.join(sorted(allowed))})"
        )
    token = str(waiting["token"])
    try:
        if kind == "abort":
            cause = f"aborted by operator: {reason}" if reason else "aborted by operator"
            sfn.send_task_failure(taskToken=token, error=ABORT_ERROR, cause=cause)
            return ControlResult(True, f"abort sent ({cause}) while waiting for {waiting_kind}")
        output: dict[str, Any] = {"action": kind}
        if kind == "promote":
            output["full"] = full
        sfn.send_task_success(taskToken=token, output=json.dumps(output))
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        return ControlResult(False, f"{kind} too late: the {waiting_kind} wait was already over")
    suffix = " (full: skip every remaining step)" if kind == "promote" and full else ""
    return ControlResult(
        True, f"{kind} sent while waiting for {waiting_kind} at step {waiting.get('step_index')}{suffix}"
    )
