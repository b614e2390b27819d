"""The watched alarms, checked at the start of every bake and approval and after every bake.

The alarm reaction fails a waiting deploy when a watched alarm goes to ALARM; these checks are the
bounded fallback for an alarm that changed while nobody was waiting (between two waits), or whose
event was lost.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fargate_ops.errors import AlarmFiringError

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument

ALARM = "ALARM"


def raise_if_firing(doc: DeployDocument, ctx: StepContext, when: str) -> None:
    if not doc.alarms:
        return
    firing = [state for state in ctx.cloudwatch.alarm_states(doc.alarms).values() if state.state == ALARM]
    if firing:
        raise AlarmFiringError(
            json.dumps(
                {
                    "deploy_id": doc.deploy_id,
                    "alarms": [state.as_dict() for state in firing],
                    "detected": f"by the check {when}",
                }
            )
        )
