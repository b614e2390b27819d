"""Create green slot: adopting a single service, its idle twin is created (desired 0) as the second slot.

A clone of the live service's configuration (domain/adoption.py) on the listener's other target group.
Idempotent: a retry finds the service it created and goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.deploy import record
from fargate_ops.domain.adoption import clone_request
from fargate_ops.errors import PreflightError
from fargate_ops.observability import logger

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    existing = ctx.ecs.describe_service_definition(doc.cluster, green.service)
    if existing is not None:
        target_groups = [lb.get("targetGroupArn") for lb in existing.get("loadBalancers", [])]
        if target_groups != [green.target_group_arn]:
            raise PreflightError(
                f"{green.service} exists but is not on target group {green.target_group_arn}"
            )
        green.service_arn = str(existing.get("serviceArn", ""))
        doc.notes.append(f"{green.service} already existed (a retry); reused")
        return doc
    definition = ctx.ecs.describe_service_definition(doc.cluster, live.service)
    if definition is None:
        raise PreflightError(f"the service to adopt, {live.service}, is gone")
    request = clone_request(
        definition,
        name=green.service,
        cluster=doc.cluster,
        live_target_group=live.target_group_arn,
        green_target_group=green.target_group_arn,
        application=doc.application,
    )
    created = ctx.ecs.create_service(request)
    green.service_arn = created.arn
    green.desired_count = 0
    logger.info("adopted: created the second slot", extra={"service": green.service})
    doc.notes.append(f"adopted {live.service}: created {green.service} on the listener's other target group")
    record.save(ctx, doc, "green", "notes")
    return doc
