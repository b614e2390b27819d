"""Await green: park the task token in green's WAIT item, then check once in case the event was missed.

Runs as ``lambda:invoke.waitForTaskToken``: the execution waits until the ECS events function (or this
fallback check) completes the token, or until the state's TimeoutSeconds (the readiness timeout).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.aws.store import WaitRecord
from fargate_ops.domain.services import is_steady
from fargate_ops.errors import DeployInputError
from fargate_ops.observability import logger

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument

AWAITING_STEADY_STATE = "steady_state"
# WAIT items outlive their wait by a day (TTL garbage collection only; nothing relies on it).
WAIT_RETENTION_SECONDS = 86_400


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    _, green = doc.require_slots()
    if not ctx.task_token:
        raise DeployInputError("task_token", "await_green must be invoked with .waitForTaskToken")
    if green.task_definition is None:
        raise DeployInputError("green.task_definition", "register_task_definition has not run")
    now = clock.now_epoch()
    wait = WaitRecord(
        cluster=doc.cluster,
        service=green.service,
        task_token=ctx.task_token,
        deploy_id=doc.deploy_id,
        awaiting=AWAITING_STEADY_STATE,
        task_definition=green.task_definition,
        since=doc.green_updated_at or now,
        expires_at=int(now + doc.readiness_timeout_seconds + WAIT_RETENTION_SECONDS),
    )
    ctx.store.put_wait(wait)
    # The one bounded fallback: green may have become steady before the token was stored.
    service = ctx.ecs.describe_service(doc.cluster, green.service)
    if is_steady(service, green.task_definition):
        logger.info("green already steady; completing the wait without an event")
        ctx.sfn.send_success(ctx.task_token, {"ready": True, "via": "check", "at": clock.iso(now)})
        ctx.store.delete_wait(doc.cluster, green.service, task_token=ctx.task_token)
    return doc
