"""Deploy steps, one module per step, each with ``run(doc, ctx) -> doc``.

``run_step`` is what ``functions/deploy_step`` calls with ``{"step": name, "deploy": {...}}``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fargate_ops.errors import DeployInputError, UnknownStepError
from fargate_ops.observability import bind, count, logger

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext

STEPS = (
    "plan",
    "acquire_lock",
    "create_green_slot",
    "register_task_definition",
    "scale_up_green",
    "await_green",
    "test_traffic",
    "await_approval",
    "shift_traffic",
    "bake",
    "analyse",
    "finalize",
    "release_lock",
    "notify",
    "rollback_window",
    "scale_down_old",
    "manual_rollback",
    "rollback",
)


def run_step(event: Mapping[str, Any], ctx: StepContext) -> dict[str, Any]:
    """Run the step the event names on its deploy document and return the updated document."""
    from fargate_ops.models.deploy import parse_document, parse_input

    step = str(event.get("step", ""))
    if step not in STEPS:
        raise UnknownStepError(f"unknown deploy step {step!r}; known: {', '.join(STEPS)}")
    raw = event.get("deploy") or {}
    if not isinstance(raw, Mapping):
        raise DeployInputError("deploy", f"the deploy input must be an object, not {type(raw).__name__}")
    bind(
        step=step,
        deploy_id=raw.get("deploy_id"),
        cluster=raw.get("cluster"),
        application=raw.get("application"),
    )
    if step == "notify":
        from fargate_ops.deploy.notify import notify

        topic = raw.get("notification_topic")
        return notify(raw, ctx.sns_for(topic if isinstance(topic, str) else None).publish)
    module = importlib.import_module(f"fargate_ops.deploy.{step}")
    if step == "plan":
        # The one place the raw execution input is validated (strictly: unknown fields are errors).
        doc = module.plan(parse_input(raw), ctx, execution=str(event.get("execution", "")))
    else:
        doc = module.run(parse_document(raw), ctx)
    logger.info("deploy step done", extra={"status": doc.status, "step_index": doc.step_index})
    count(f"DeployStep_{step}")
    result: dict[str, Any] = doc.dump()
    return result
