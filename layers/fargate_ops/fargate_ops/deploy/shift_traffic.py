"""Shift traffic: the current step's share to green, recorded; green first made able to carry it.

Green follows blue's live count (read at every shift: auto scaling or an operator may have scaled blue
out since plan) and must be whole before it gets a share: ``ceil(live * percent / 100)`` tasks with
``scale_with_traffic``, else as many as blue, all healthy in its target group. If green is short (it
must grow, or lost a task: the events function may have taken its weight away), it is scaled and the
document says ``pending_ready``: the state machine waits for green's steady state, then comes back
here. With ``scale_with_traffic``, after shifting, green is scaled to the *next* step's share, so it
grows during the bake.

Before the write, the live forward action must be what the deploy last wrote (``listener_guard``:
someone else's edit stops the deploy with ListenerDriftError); after it, the weights are read back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.deploy import listener_guard, record
from fargate_ops.deploy.schedule import scheduled_count
from fargate_ops.domain.listener import with_weights
from fargate_ops.domain.services import is_steady
from fargate_ops.domain.traffic import green_share_count, weights_for
from fargate_ops.errors import DeployInputError

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument, SlotState


def _grow_green(doc: DeployDocument, ctx: StepContext, needed: int) -> bool:
    """Scale green up to ``needed`` if short; True when green is ready to take the step's share."""
    _, green = doc.require_slots()
    if green.task_definition is None:
        raise DeployInputError("green.task_definition", "register_task_definition has not run")
    service = ctx.ecs.describe_service(doc.cluster, green.service)
    if service.desired_count < needed:
        ctx.ecs.update_service(doc.cluster, green.service, desired_count=needed)
        green.desired_count = needed
        doc.green_updated_at = clock.now_epoch()
        return False
    # ECS counts a task as running before the load balancer finds it healthy: ask the target group too.
    return (
        is_steady(service, green.task_definition)
        and ctx.elbv2.healthy_targets(green.target_group_arn) >= needed
    )


def _prescale_next(doc: DeployDocument, ctx: StepContext, live: SlotState, green: SlotState) -> None:
    if doc.step_index + 1 >= len(doc.steps):
        return
    following = green_share_count(live.desired_count or 1, doc.steps[doc.step_index + 1].percent)
    if (green.desired_count or 0) < following:
        ctx.ecs.update_service(doc.cluster, green.service, desired_count=following)
        green.desired_count = following
        doc.green_updated_at = clock.now_epoch()


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    step = doc.current_step()
    # Blue's count now, not plan's: auto scaling or an operator may have scaled it out since.
    live_count = ctx.ecs.describe_service(doc.cluster, live.service).desired_count
    if doc.schedule is not None:  # what the live slot's schedule wants now (deploy/schedule.py)
        live_count = scheduled_count(ctx, doc.cluster, doc.schedule, live.service, live_count)
    live.desired_count = max(live_count, 1)
    needed = (
        green_share_count(live.desired_count, step.percent) if doc.scale_with_traffic else live.desired_count
    )
    if not _grow_green(doc, ctx, needed):
        doc.pending_ready = True
        record.save(ctx, doc, "live", "green", "step_index", end_wait=True)
        return doc
    weights = weights_for(step.percent, live.target_group_arn, green.target_group_arn)
    now = clock.now_epoch()
    # Someone else's edit since the deploy's last write stops the deploy here (never written over).
    actions = listener_guard.live_actions_unchanged(doc, ctx)
    changed = ctx.elbv2.set_weights(doc.listener_arn or "", weights, current_actions=actions)
    if changed:
        ctx.elbv2.verify_weights(doc.listener_arn or "", weights)
        doc.listener_actions = with_weights(actions, weights) or actions
    if doc.scale_with_traffic:
        _prescale_next(doc, ctx, live, green)
    doc.weights = weights
    history = [{"at": clock.iso(now), "weights": weights, "step_index": doc.step_index}]
    record.save(
        ctx,
        doc,
        "weights",
        "step_index",
        "live",
        "green",
        end_wait=True,
        append={"weight_history": history} if changed else None,
    )
    doc.step_started_at = now
    doc.pending_ready = False
    doc.bake_result = None
    doc.pause = None  # an operator approved going on after an inconclusive analysis
    return doc
