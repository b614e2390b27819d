"""Bake: park the task token (kind ``bake``); the wait's TimeoutSeconds *is* the bake.

A timeout is the normal end (the state machine catches States.Timeout and analyses). `fargate-ops
promote` ends it early (``{"action": "promote", "full": bool}``); a watched alarm, green's crash loop or
`abort` fail it. Nothing polls, so a one-hour bake costs the same state transitions as a one-minute one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.deploy.alarms import raise_if_firing
from fargate_ops.deploy.waiting import BAKE, park

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    raise_if_firing(doc, ctx, "at the start of the bake")
    park(doc, ctx, BAKE, doc.current_step().bake_seconds, on_green=True)
    return doc
