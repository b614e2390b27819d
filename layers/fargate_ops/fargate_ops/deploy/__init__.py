"""Deploy steps, one module per step, each with ``run(doc, ctx) -> doc``; ``STEPS`` names them all.

Before a step acts, ``trust.check`` holds its document against the deploy's records and renews the
lease (one write per step, not per state).

``run_step`` is what ``functions/deploy_step`` calls with ``{"step": name, "deploy": {...}}``: it finds
the step in ``STEPS`` (the one registry: the state machine's ``"step"`` names are its keys) and runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fargate_ops.deploy import (
    acquire_lease,
    analyse,
    await_approval,
    await_green,
    bake,
    create_green_slot,
    finalize,
    manual_rollback,
    notify,
    plan,
    register_task_definition,
    release_lease,
    rollback,
    rollback_failed,
    rollback_window,
    route_test_traffic,
    scale_down_old,
    scale_up_green,
    shift_traffic,
    trust,
)
from fargate_ops.deploy.context import StepContext
from fargate_ops.errors import (
    AlarmFiringError,
    AnalysisFailedError,
    AnalysisInconclusiveError,
    DeployAbortedError,
    DeployInputError,
    GreenCrashLoopError,
    GreenNotReadyError,
    LeaseHeldError,
    ListenerDriftError,
    MetricsNotReadyError,
    PreflightError,
    UnknownStepError,
)
from fargate_ops.models.deploy import DeployDocument, parse_document, parse_input
from fargate_ops.observability import bind, count, logger

DocumentStep = Callable[[DeployDocument, StepContext], DeployDocument]


def _plan(event: Mapping[str, Any], raw: Mapping[str, Any], ctx: StepContext) -> dict[str, Any]:
    # The one place the raw execution input is validated (strictly: unknown fields are errors).
    doc = plan.plan(parse_input(raw), ctx, execution=str(event.get("execution", "")))
    return _done("plan", doc)


def _notify(event: Mapping[str, Any], raw: Mapping[str, Any], ctx: StepContext) -> dict[str, Any]:
    # Lenient: on the rejected path the document is the raw (possibly invalid) input plus the failure.
    topic = raw.get("notification_topic")
    return notify.notify(raw, ctx.sns_for(topic if isinstance(topic, str) else None).publish)


def _on_document(name: str, run: DocumentStep) -> Callable[..., dict[str, Any]]:
    def step(event: Mapping[str, Any], raw: Mapping[str, Any], ctx: StepContext) -> dict[str, Any]:
        doc = parse_document(raw)
        trust.check(
            name, doc, ctx
        )  # the one place every step passes: the document checked, the lease renewed
        return _done(name, run(doc, ctx))

    return step


STEPS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any], StepContext], dict[str, Any]]] = {
    "plan": _plan,
    "acquire_lease": _on_document("acquire_lease", acquire_lease.run),
    "create_green_slot": _on_document("create_green_slot", create_green_slot.run),
    "register_task_definition": _on_document("register_task_definition", register_task_definition.run),
    "scale_up_green": _on_document("scale_up_green", scale_up_green.run),
    "await_green": _on_document("await_green", await_green.run),
    "route_test_traffic": _on_document("route_test_traffic", route_test_traffic.run),
    "await_approval": _on_document("await_approval", await_approval.run),
    "shift_traffic": _on_document("shift_traffic", shift_traffic.run),
    "bake": _on_document("bake", bake.run),
    "analyse": _on_document("analyse", analyse.run),
    "finalize": _on_document("finalize", finalize.run),
    "release_lease": _on_document("release_lease", release_lease.run),
    "notify": _notify,
    "rollback_window": _on_document("rollback_window", rollback_window.run),
    "scale_down_old": _on_document("scale_down_old", scale_down_old.run),
    "manual_rollback": _on_document("manual_rollback", manual_rollback.run),
    "rollback": _on_document("rollback", rollback.run),
    "rollback_failed": _on_document("rollback_failed", rollback_failed.run),
}


# What steps raise on purpose: a deploy's decisions (and the analysis asking to run again), each one a
# failed invocation in the function's Errors metric. Counted as DeployStepDecision, so the template's
# errors alarm can leave them out and page only on throttling, denials and bugs.
DECISIONS: tuple[type[Exception], ...] = (
    DeployInputError,
    PreflightError,
    LeaseHeldError,
    AlarmFiringError,
    AnalysisFailedError,
    AnalysisInconclusiveError,
    MetricsNotReadyError,
    GreenCrashLoopError,
    GreenNotReadyError,
    DeployAbortedError,
    ListenerDriftError,
)
DECISION_METRIC = "DeployStepDecision"


def _done(step: str, doc: DeployDocument) -> dict[str, Any]:
    logger.info("deploy step done", extra={"status": doc.status, "step_index": doc.step_index})
    count(f"DeployStep_{step}")
    result: dict[str, Any] = doc.dump()
    return result


def run_step(event: Mapping[str, Any], ctx: StepContext) -> dict[str, Any]:
    """Run the step the event names on its deploy document and return the updated document."""
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
    try:
        return STEPS[step](event, raw, ctx)
    except DECISIONS:
        count(DECISION_METRIC)
        raise
