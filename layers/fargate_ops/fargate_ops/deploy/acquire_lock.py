"""Acquire lock: take the application's lease, create the deploy record, register a new application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.aws.store import ApplicationRecord
from fargate_ops.domain import deploy as decisions
from fargate_ops.errors import DeployInputError

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    now = clock.now_epoch()
    lease_expires_at = now + decisions.lease_seconds(
        doc.readiness_timeout_seconds, doc.traffic_plan().total_bake_seconds
    )
    new_application = None
    if doc.new_application:
        if doc.slots is None or doc.listener_arn is None:
            raise DeployInputError("slots", "the plan step did not resolve the slots and listener")
        new_application = ApplicationRecord(
            cluster=doc.cluster,
            application=doc.application,
            slots=(doc.slots[0], doc.slots[1]),
            listener_arn=doc.listener_arn,
            target_groups={live.service: live.target_group_arn, green.service: green.target_group_arn},
            live_slot=live.service,
        )
    ctx.store.begin_deploy(
        cluster=doc.cluster,
        application=doc.application,
        deploy_id=doc.deploy_id,
        execution=doc.execution,
        now=now,
        lease_expires_at=lease_expires_at,
        deploy_record={
            "deploy_id": doc.deploy_id,
            "cluster": doc.cluster,
            "application": doc.application,
            "status": decisions.RUNNING,
            "strategy": doc.strategy.model_dump(mode="json"),
            "change": doc.change.model_dump(mode="json", exclude_none=True),
            "live_slot": live.service,
            "green_slot": green.service,
            "started_at": doc.started_at or clock.iso(now),
            "weight_history": [{"at": clock.iso(now), "weights": dict(doc.weights or {})}],
            "input": doc.model_dump(mode="json", include=_INPUT_FIELDS, exclude_none=True),
        },
        new_application=new_application,
    )
    doc.status = decisions.RUNNING
    doc.lease_expires_at = lease_expires_at
    return doc


_INPUT_FIELDS = {
    "deploy_id",
    "cluster",
    "application",
    "slots",
    "listener_arn",
    "change",
    "strategy",
    "readiness_timeout_seconds",
    "rollback_window_seconds",
    "description",
}
