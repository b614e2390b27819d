"""Release lease: give the application's lease back (a lease that is not ours any more is left alone),
then hand the live slot's schedule to the slot that is live now (deploy/schedule.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.deploy.schedule import hand_over
from fargate_ops.observability import logger

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    if not ctx.store.release_lease(doc.cluster, doc.application, doc.deploy_id, doc.execution):
        logger.warning("the lease was not ours any more; left it alone")
        doc.notes.append("lease was not held at release")
    doc.lease_expires_at = None
    hand_over(doc, ctx)
    return doc
