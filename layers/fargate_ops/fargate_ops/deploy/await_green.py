"""Await green: park the task token (kind ``ready``), then check once in case the event was missed.

Runs as ``lambda:invoke.waitForTaskToken``: the execution waits until the ECS events function (or this
fallback check) completes the token, or until the state's TimeoutSeconds (the readiness timeout). Used
before any traffic (AwaitGreen) and, with scale_with_traffic, when green grew for a step (AwaitStepReady).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.deploy.waiting import READY, park, require_token
from fargate_ops.domain.services import is_steady
from fargate_ops.errors import DeployInputError
from fargate_ops.observability import logger

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    _, green = doc.require_slots()
    token = require_token(ctx, "await_green")
    if green.task_definition is None:
        raise DeployInputError("green.task_definition", "register_task_definition has not run")
    now = clock.now_epoch()
    park(doc, ctx, READY, doc.readiness_timeout_seconds, on_green=True, since=doc.green_updated_at or now)
    # The one bounded fallback: green may have become steady before the token was stored.
    service = ctx.ecs.describe_service(doc.cluster, green.service)
    wanted = max(green.desired_count or 1, 1)
    if (
        is_steady(service, green.task_definition)
        and service.desired_count >= wanted
        and ctx.elbv2.healthy_targets(green.target_group_arn) >= wanted
    ):
        logger.info("green already steady; completing the wait without an event")
        ctx.sfn.send_success(token, {"ready": True, "via": "check", "at": clock.iso(now)})
        ctx.store.delete_wait(doc.cluster, green.service, task_token=token)
    return doc
