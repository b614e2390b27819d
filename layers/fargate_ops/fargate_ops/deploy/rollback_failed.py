"""Rollback failed: the final record says where traffic is, the lease stays held, one urgent notification.

Runs when Rollback gave up after its whole retry budget. Traffic may be split between the slots, so no
other deploy may start over this listener: the lease is held until `fargate-ops recover DEPLOY_ID
--apply` releases it. The weights are read from the listener itself, not taken from the document.
If this step fails too, the execution fails (the reconciler then finds a record that is not final).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fargate_ops import clock
from fargate_ops.deploy import record
from fargate_ops.domain import deploy as decisions
from fargate_ops.domain.recovery import recover_command
from fargate_ops.errors import FargateOpsError
from fargate_ops.models.deploy import Failure
from fargate_ops.observability import count, logger

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def traffic_text(weights: dict[str, int] | None, slots: dict[str, str]) -> str:
    """``web-blue 90 / web-green 10`` (slot names for target groups); ``unknown`` when unread."""
    if weights is None:
        return "unknown"
    return " / ".join(
        f"{slots.get(tg, tg.rsplit('/', 2)[-2] if '/' in tg else tg)} {w}" for tg, w in weights.items()
    )


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    failure = doc.rollback_failure or Failure()
    slots = {live.target_group_arn: live.service, green.target_group_arn: green.service}
    weights: dict[str, int] | None
    try:
        weights = ctx.elbv2.weights(doc.listener_arn or "")
    except FargateOpsError as err:
        weights = None
        doc.notes.append(f"could not read the listener's weights: {type(err).__name__}: {err}")
    command = recover_command(doc.deploy_id)
    held = ctx.store.hold_lease(doc.cluster, doc.application, doc.deploy_id)
    reason = dict(doc.rollback_reason or {})
    traffic = traffic_text(weights, slots)
    reason.update(
        {
            "summary": f"rollback failed ({failure.error or 'unknown error'}); traffic is {traffic}",
            "rollback_error": {"error": failure.error, "cause": failure.cause},
            "traffic": traffic,
            "lease": "held until recovered" if held else "not ours any more",
            "recover": command,
        }
    )
    if "error" not in reason and doc.failure is not None:
        reason.update(
            decisions.rollback_reason(
                doc.failure.error,
                doc.failure.cause,
                readiness_timeout_seconds=doc.readiness_timeout_seconds,
                state=doc.failure.state,
            )
            | {"summary": reason["summary"]}
        )
    doc.status = decisions.ROLLBACK_FAILED
    doc.rollback_reason = reason
    if weights is not None:
        doc.weights = weights
    record.save(
        ctx, doc, "status", "rollback_reason", "weights", "notes", end_wait=True, finished_at=clock.iso()
    )
    count("DeployRollbackFailed")
    logger.error("rollback failed: traffic left as it is, lease held", extra={"reason": reason})
    ctx.sns_for(doc.notification_topic).publish(
        f"fargate-ops URGENT: {doc.application} deploy {doc.deploy_id} ROLLBACK_FAILED, run {command}",
        _body(doc, reason, weights, command),
    )
    return doc


def _body(
    doc: DeployDocument, reason: dict[str, Any], weights: dict[str, int] | None, command: str
) -> dict[str, Any]:
    return {
        "deploy_id": doc.deploy_id,
        "cluster": doc.cluster,
        "application": doc.application,
        "status": decisions.ROLLBACK_FAILED,
        "what_happened": reason["summary"],
        "why_it_rolled_back": reason.get("error"),
        "weights": weights,
        "listener_arn": doc.listener_arn,
        "lease": reason["lease"],
        "what_to_do": f"{command} (puts traffic on a healthy slot, finishes the record, releases the lease;"
        " without --apply it shows the state first)",
    }
