"""What ScaleDownOld and ManualRollback share: they run after the lease was given back.

Another deploy may have started since, and taken the old slot as its green. So each takes the lease
again for a short while (LeaseHeldError if another deploy holds it), acts only if the application is
still as this deploy left it, and gives the lease back, its own execution's only, whatever happened.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument, SlotState

SHORT_LEASE_SECONDS = 300


@contextlib.contextmanager
def short_lease(doc: DeployDocument, ctx: StepContext, now: float) -> Iterator[None]:
    """Hold the application's lease for SHORT_LEASE_SECONDS around the block (raises LeaseHeldError
    before the block if another deploy holds it)."""
    ctx.store.acquire_lease(
        doc.cluster,
        doc.application,
        doc.deploy_id,
        now=now,
        lease_expires_at=now + SHORT_LEASE_SECONDS,
        execution=doc.execution,
    )
    try:
        yield
    finally:
        ctx.store.release_lease(doc.cluster, doc.application, doc.deploy_id, doc.execution)


def moved_on(doc: DeployDocument, ctx: StepContext, green: SlotState) -> bool:
    """A later deploy changed the application (or it is gone): this deploy's slots are not its own now."""
    app = ctx.store.get_application(doc.cluster, doc.application)
    return app is None or app.live_slot != green.service or app.last_deploy_id != doc.deploy_id
