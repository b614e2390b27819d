"""Acquire lease: take the application's lease, create the deploy record, register a new application.

The record starts with everything an operator reads (docs/deploys.md): the planned steps, step 0, the
weights as they are, an empty analysis, both slots. The watched alarms get this deploy in their watch
items, so the alarm reaction can find it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.aws.store import ApplicationRecord
from fargate_ops.deploy import record
from fargate_ops.domain import deploy as decisions
from fargate_ops.errors import DeployInputError

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    now = clock.now_epoch()
    plan = doc.traffic_plan()
    analysed = plan.baked_steps if doc.analysis is not None else 0
    paused = analysed if doc.analysis is not None and doc.analysis.inconclusive == "pause" else 0
    lease_expires_at = now + decisions.lease_seconds(
        doc.readiness_timeout_seconds,
        plan.total_bake_seconds,
        readiness_waits=1 + (len(plan.steps) if doc.scale_with_traffic else 0),
        approval_timeout_seconds=doc.approval_timeout_seconds,
        gates=plan.gates + paused,
        # a data wait ends at most one retry interval past its bound
        metrics_waits_seconds=analysed * (doc.analysis.metrics_wait_seconds + 60) if doc.analysis else 0,
    )
    new_application = None
    if doc.new_application:
        if doc.slots is None or len(doc.slots) != 2 or doc.listener_arn is None:
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
        deploy_record=record.initial(doc, now),
        new_application=new_application,
    )
    if doc.alarms:
        ctx.store.watch_alarms(doc.alarms, doc.deploy_id)
    doc.status = decisions.RUNNING
    doc.lease_expires_at = lease_expires_at
    return doc
