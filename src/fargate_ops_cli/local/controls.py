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
