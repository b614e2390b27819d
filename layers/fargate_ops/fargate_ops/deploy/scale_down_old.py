"""Scale down old: after the rollback window, the previously live slot goes to zero tasks.

The lease was released before the window, so another deploy may have started meanwhile and taken the
old slot as its green. Take the lease again briefly and act only if the application still looks the way
this deploy left it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.deploy import record
from fargate_ops.deploy.after_window import moved_on, short_lease
from fargate_ops.errors import LeaseHeldError
from fargate_ops.observability import logger

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    old, green = doc.require_slots()
    now = clock.now_epoch()
    record.save(ctx, doc, end_wait=True, rollback_window_closed_at=clock.iso(now))
    try:
        with short_lease(doc, ctx, now):
            if moved_on(doc, ctx, green):
                doc.old_scaled_down = False
                doc.notes.append("old slot left as is: a later deploy changed the application")
                logger.info("not scaling the old slot down: the application moved on")
                return doc
            ctx.ecs.scale(doc.cluster, old.service, 0)
            doc.old_scaled_down = True
            record.save(ctx, doc, old_scaled_down_at=clock.iso())
            return doc
    except LeaseHeldError as err:
        doc.old_scaled_down = False
        doc.notes.append(f"old slot left as is: {err}")
        return doc
