"""Operator controls in scenario timelines: the very functions the CLI verbs call.

`fargate-ops promote/approve/abort/rollback` and a scenario's `promote:` step both go through
`fargate_ops_cli.operations.controls`. Here a refusal becomes text for the narrative rather than an
exit code: a control that arrives at the wrong moment is part of what a scenario may test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fargate_ops_cli.operations import controls
from fargate_ops_cli.operations.errors import OperatorError


@dataclass(frozen=True)
class ControlResult:
    ok: bool
    text: str


def control(
    kind: str, sfn: Any, dynamodb: Any, table: str, deploy_id: str, *, full: bool = False, reason: str = ""
) -> ControlResult:
    """Send `kind` (promote, approve, abort, rollback) to the deploy's current wait."""
    try:
        if kind == "promote":
            controls.promote(sfn, dynamodb, table, deploy_id, full=full)
            return ControlResult(
                True, "promote sent" + (" (full: skip every remaining step)" if full else "")
            )
        if kind == "approve":
            controls.approve(sfn, dynamodb, table, deploy_id)
            return ControlResult(True, "approve sent")
        if kind == "abort":
            result = controls.abort(sfn, dynamodb, table, deploy_id, reason)
            return ControlResult(True, f"abort sent ({result['reason']})")
        if kind == "rollback":
            controls.rollback(sfn, dynamodb, table, deploy_id)
            return ControlResult(True, "rollback sent")
    except OperatorError as error:
        return ControlResult(False, f"{kind} refused: {error}")
    raise ValueError(f"unknown control {kind!r}")


def operator_recovery(runtime: Any, kind: str, action: Any, deploys: dict[str, str]) -> str:
    """`recover:` (what `fargate-ops recover` runs) or `stop_execution:` (StopExecution, as from the
    console), as the operator: their calls are counted, not checked against the template."""
    from fargate_ops_cli.local.clients import as_app
    from fargate_ops_cli.operations.recover import recover_deploy

    assert runtime.stack is not None
    with as_app():
        if kind == "stop_execution":
            arn = deploys.get(action.deploy)
            if arn is None:
                return f"stop_execution refused: no deploy {action.deploy} was started"
            runtime.clients.client("stepfunctions").stop_execution(
                executionArn=arn, error="OperatorStopped", cause=action.reason or "stopped from the console"
            )
            return f"stops the execution of {action.deploy} (StopExecution)"
        try:
            result = recover_deploy(
                runtime.clients.client,
                runtime.stack.outputs["OpsTableName"],
                action.deploy,
                apply=action.apply,
            )
        except OperatorError as error:
            return f"recover {action.deploy} refused: {error}"
    verb = "recover --apply" if action.apply else "recover"
    return f"{verb} {action.deploy}: {result['text']}"
