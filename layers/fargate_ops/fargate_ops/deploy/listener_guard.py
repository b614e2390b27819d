"""The deploy's forward action, guarded: compared with what the deploy last wrote before each shift, and
read back after each write.

fargate-ops owns the forward action of the application's listener (or rule) for the length of a deploy,
as CodeDeploy does, but it is not alone in the account: a person in the console or another tool may
change it meanwhile. Writing the step's weights over such an edit would silently undo it, so before a
shift the live action is compared with the deploy's own last write (the record's ``weight_history``,
which the events function appends to as well when it takes green's weight away); a difference stops
the deploy with ListenerDriftError naming what changed, and nothing is written over it.

After a write, the weights are read back (``Elbv2Adapter.verify_weights``: a bounded re-read for ELB's
eventual consistency, then WeightsNotAppliedError).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fargate_ops.domain.listener import forward_drift, forward_weights
from fargate_ops.errors import ListenerDriftError, PreflightError

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def last_written(doc: DeployDocument, ctx: StepContext) -> tuple[dict[str, int], str | None]:
    """The slots' weights as this deploy (or its reaction on green's health) last wrote them, and when."""
    record = ctx.store.get_deploy(doc.deploy_id) or {}
    history = record.get("weight_history") if record.get("execution") == doc.execution else None
    if isinstance(history, list) and history and isinstance(history[-1], dict):
        last = history[-1]
        return {str(k): int(v) for k, v in dict(last.get("weights") or {}).items()}, last.get("at")
    return dict(doc.weights or {}), None


def live_actions_unchanged(doc: DeployDocument, ctx: StepContext) -> list[dict[str, Any]]:
    """The live actions, after checking their forward weights are the deploy's last write.

    The expected forward is the one plan read (every target group it held) with the slots' weights as
    last written; any other difference (a weight, a target group added or removed, the forward replaced
    by a fixed response) is someone else's edit.
    """
    arn = doc.listener_arn or ""
    actions = ctx.elbv2.actions(arn)
    slots, at = last_written(doc, ctx)
    try:
        planned = forward_weights(doc.listener_actions) if doc.listener_actions else {}
    except PreflightError:
        planned = {}
    changes = forward_drift({**planned, **slots}, actions)
    if changes:
        since = f" at {at}" if at else ""
        raise ListenerDriftError(
            json.dumps(
                {
                    "deploy_id": doc.deploy_id,
                    "listener_arn": arn,
                    "step_index": doc.step_index,
                    "changes": changes,
                    "reason": (
                        f"the listener was changed outside the deploy since it last wrote it{since}: "
                        f"{'; '.join(changes)}. The deploy stopped and left the edit as it is"
                    ),
                }
            )
        )
    return actions
