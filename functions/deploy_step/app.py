"""DeployStepFunction: runs one step of the deploy state machine.

Event: ``{"step": "<name>", "deploy": {...}, "task_token"?: "...", "execution"?: "...",
"state_entered_at"?: "<$states.context.State.EnteredTime>"}``.
Returns the updated deploy document. Errors are raised as the package's exceptions, whose class names
the state machine's Retry/Catch match.
"""

from __future__ import annotations

from typing import Any

from fargate_ops.observability import entry_point
from fargate_ops.settings import Settings


@entry_point
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from fargate_ops.deploy import run_step
    from fargate_ops.deploy.context import StepContext

    settings = Settings.from_env()
    ctx = StepContext(
        settings, task_token=event.get("task_token"), state_entered_at=event.get("state_entered_at")
    )
    return run_step(event, ctx)
