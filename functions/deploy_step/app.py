"""DeployStepFunction: runs one step of the deploy state machine, and reconciles ended executions.

Event: ``{"step": "<name>", "deploy": {...}, "task_token"?: "...", "execution"?: "...",
"state_entered_at"?: "<$states.context.State.EnteredTime>"}``.
Returns the updated deploy document. Errors are raised as the package's exceptions, whose class names
the state machine's Retry/Catch match.

A "Step Functions Execution Status Change" event (EventBridge, the deploy state machine's executions
that ended ABORTED, TIMED_OUT or FAILED) runs the reconciler instead: this function already holds every
permission recovery needs, and is warm right after a deploy's last step.
"""

from __future__ import annotations

from typing import Any

from fargate_ops.observability import entry_point
from fargate_ops.settings import Settings

# models.events.EXECUTION_STATUS_CHANGE, spelled here: importing the models would slow every step's start.
EXECUTION_STATUS_CHANGE = "Step Functions Execution Status Change"


@entry_point
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from fargate_ops.deploy.context import StepContext

    settings = Settings.from_env()
    if event.get("detail-type") == EXECUTION_STATUS_CHANGE:
        from fargate_ops.reconciler import reconcile

        return reconcile(event, StepContext(settings))
    from fargate_ops.deploy import run_step

    ctx = StepContext(
        settings, task_token=event.get("task_token"), state_entered_at=event.get("state_entered_at")
    )
    return run_step(event, ctx)
