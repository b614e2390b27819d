"""Shift traffic: set the listener weights of the plan's current step, and record them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.domain.traffic import weights_for

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    step = doc.traffic_plan().step(doc.step_index)
    weights = weights_for(step.weight, live.target_group_arn, green.target_group_arn)
    listener_arn = doc.listener_arn or ""
    if ctx.elbv2.set_weights(listener_arn, weights):
        ctx.store.append_weights(doc.deploy_id, doc.execution, {"at": clock.iso(), "weights": weights})
    doc.weights = weights
    doc.step_index += 1
    return doc
