"""The deploy's forward action, guarded: compared with what the deploy last wrote before each shift, and
read back after each write.

fargate-ops owns the forward action of the application's listener (or rule) for the length of a deploy,
as CodeDeploy does, but it is not alone in the account: a person in the console or another tool may
change it meanwhile. Writing the step's weights over such an edit would silently undo it, so before a
shift the live action is compared with the deploy's own last write (the record's ``weight_history``,
which the events function appends to as well when it takes green's weight away); a difference stops
the deploy with ListenerDriftError naming what changed, and nothing is written over it.

After a write, the weights are read back (DescribeListeners / DescribeRules). ELB's API is eventually
consistent: a read right after ModifyListener may still show the old action, so a mismatch is read
again after a short back-off, a bounded number of times (Argo Rollouts verifies its target-group
weights the same way), before WeightsNotAppliedError.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fargate_ops import clock
from fargate_ops.domain.listener import forward_drift, forward_weights, weight_changes
from fargate_ops.errors import ListenerDriftError, PreflightError, WeightsNotAppliedError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument

# Re-reads after a write whose weights do not show yet: 1 + 2 + 4 s at most (ELB usually settles in ~1 s).
VERIFY_BACKOFF_SECONDS = (1.0, 2.0, 4.0)


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


def verify(ctx: StepContext, arn: str, weights: Mapping[str, int]) -> None:
    """Read the weights back until they show what was written, a bounded number of times."""
    for pause in (0.0, *VERIFY_BACKOFF_SECONDS):
        if pause:
            clock.sleep(pause)
        live = ctx.elbv2.weights(arn)
        if all(live.get(tg) == weight for tg, weight in weights.items()):
            return
    missing = weight_changes(dict(weights), {tg: live[tg] for tg in weights if tg in live})
    raise WeightsNotAppliedError(
        f"{arn}: after {len(VERIFY_BACKOFF_SECONDS) + 1} reads the listener still shows "
        f"{'; '.join(missing)} (written → read)"
    )
