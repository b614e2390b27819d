"""Route test traffic: before any production traffic, the test listener (or rule) sends everything to green.

The validation hook, if any, runs next against it. On rollback the test listener gets its weights back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.deploy import record
from fargate_ops.domain.traffic import FULL, weights_for

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    if doc.test_listener_arn is not None:
        ctx.elbv2.set_weights(
            doc.test_listener_arn, weights_for(FULL, live.target_group_arn, green.target_group_arn)
        )
        doc.notes.append(f"test listener {doc.test_listener_arn} sends everything to {green.service}")
    record.save(ctx, doc, "notes", end_wait=True)
    return doc
