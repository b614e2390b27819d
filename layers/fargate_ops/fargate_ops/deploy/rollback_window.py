"""Rollback window: after a success the old slot stays warm; the task token (kind ``rollback_window``)
waits for `fargate-ops rollback` for ``rollback_window_seconds`` (the wait's TimeoutSeconds).

Only the deploy record holds the token (no ECS event acts on it). A timeout closes the window and the
old slot scales to zero; ``{"action": "rollback"}`` takes the manual rollback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.deploy.waiting import ROLLBACK_WINDOW, park

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    park(doc, ctx, ROLLBACK_WINDOW, max(doc.rollback_window_seconds, 1), on_green=False)
    return doc
