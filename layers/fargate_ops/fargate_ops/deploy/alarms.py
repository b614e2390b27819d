"""The watched alarms, checked at the start of every bake and approval and after every bake.

The alarm reaction fails a waiting deploy when a watched alarm goes to ALARM; these checks are the
bounded fallback for an alarm that changed while nobody was waiting (between two waits), or whose
event was lost.

``ignore_alarms`` (a hotfix during the incident that fires the alarm): an alarm that has been in ALARM
since before the deploy started is not news, so the checks let it be; one that went to ALARM during the
deploy (its state changed after ``started_at``) still fails it, as does its state change event.
CloudWatch's ``StateUpdatedTimestamp`` moves when the state value changes, not while it stays in ALARM.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.errors import AlarmFiringError

if TYPE_CHECKING:
    from fargate_ops.aws.cloudwatch import AlarmState
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument

ALARM = "ALARM"


def _firing_before_start(doc: DeployDocument, state: AlarmState) -> bool:
    changed, started = clock.parse_iso(state.updated_at), clock.parse_iso(doc.started_at)
    return changed is not None and started is not None and changed <= started


def raise_if_firing(doc: DeployDocument, ctx: StepContext, when: str) -> None:
    if not doc.alarms:
        return
    firing = [
        state
        for state in ctx.cloudwatch.alarm_states(doc.alarms).values()
        if state.state == ALARM and not (doc.ignore_alarms and _firing_before_start(doc, state))
    ]
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
