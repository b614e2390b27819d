"""Scale up green: the idle slot gets the green revision and as many tasks as the live slot runs now.

With ``scale_with_traffic`` green starts at its first step's share instead:
``ceil(live_desired * percent / 100)``, at least one; shift_traffic grows it step by step.

When the live slot follows a scaling schedule, "as many as the live slot runs" is what the schedule
wants now (deploy/schedule.py): a window that opened while the deploy held the lease sizes green too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.deploy import record
from fargate_ops.deploy.schedule import schedule_of, scheduled_count
from fargate_ops.domain.traffic import green_share_count
from fargate_ops.errors import DeployInputError, ServiceNotFoundError

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    if green.task_definition is None:
        raise DeployInputError("green.task_definition", "register_task_definition has not run")
    # Read the live count now, not at plan time: auto scaling may have moved it meanwhile.
    live_now = ctx.ecs.describe_service_definition(doc.cluster, live.service)  # with its tags
    if live_now is None:
        raise ServiceNotFoundError(f"no ACTIVE service {live.service} in cluster {doc.cluster}")
    count = int(live_now.get("desiredCount", 0))
    doc.schedule = schedule_of(ctx, live_now)
    if doc.schedule is not None:
        count = scheduled_count(ctx, doc.cluster, doc.schedule, live.service, count)
    live.desired_count = max(count, 1)
    desired = live.desired_count
    if doc.scale_with_traffic:
        desired = green_share_count(live.desired_count, doc.current_step().percent)
    ctx.ecs.update_service(
        doc.cluster, green.service, desired_count=desired, task_definition=green.task_definition
    )
    green.desired_count = desired
    doc.green_updated_at = clock.now_epoch()
    record.save(ctx, doc, "live", "green", "green_task_definition")
    return doc
