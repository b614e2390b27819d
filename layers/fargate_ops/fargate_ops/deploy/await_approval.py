"""Await approval: park the task token (kind ``approval``) until an operator approves the next step.

A gate holds traffic where it is *before* its step's share (a gate on the first step is "approval
before production traffic"). `fargate-ops approve` completes the token, `abort` fails it; a watched
alarm or green's crash loop fail it too. TimeoutSeconds is ``approval_timeout_seconds``: no answer in
time rolls back. An inconclusive analysis under the ``pause`` policy comes here too (the document's
``pause``), and the record's ``waiting.reason`` says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.deploy.alarms import raise_if_firing
from fargate_ops.deploy.waiting import APPROVAL, park

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    raise_if_firing(doc, ctx, "before the approval gate")
    reason = (doc.pause or {}).get("reason")
    park(doc, ctx, APPROVAL, doc.approval_timeout_seconds, on_green=True, reason=reason)
    return doc
