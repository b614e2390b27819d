"""ECS Deployment State Change: ECS giving up on green's deployment fails the wait at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.domain.deploy import steady_event_is_fresh
from fargate_ops.domain.services import parse_service_arn
from fargate_ops.errors import GreenNotReadyError

if TYPE_CHECKING:
    from fargate_ops.models.events import DeploymentStateChange
    from fargate_ops.reactions import Reactor

NOT_READY_ERROR = GreenNotReadyError.__name__


def gave_up(event_name: str, reason: str | None) -> bool:
    """The deployment failed, or the circuit breaker is rolling it back (green would come back old)."""
    if event_name == "SERVICE_DEPLOYMENT_FAILED":
        return True
    return event_name == "SERVICE_DEPLOYMENT_IN_PROGRESS" and "rolling back" in (reason or "").lower()


def on_deployment_state_change(event: DeploymentStateChange, reactor: Reactor) -> str:
    detail = event.detail
    if not gave_up(detail.event_name, detail.reason) or not event.resources:
        return "ignored: deployment progressing"
    cluster, service = parse_service_arn(event.resources[0])
    if cluster is None:
        return "ignored: service ARN without a cluster"
    wait = reactor.store.get_wait(cluster, service)
    if wait is None:
        return "ignored: nobody waits on the service"
    if not steady_event_is_fresh(event.epoch, wait.since):
        return "ignored: from before green was updated"
    reactor.sfn.send_failure(
        wait.task_token,
        NOT_READY_ERROR,
        {
            "cluster": cluster,
            "service": service,
            "deploy_id": wait.deploy_id,
            "event_name": detail.event_name,
            "deployment_id": detail.deployment_id,
            "reason": detail.reason,
        },
    )
    # The WAIT item stays, with this event as evidence: rollback reads it and deletes it.
    reactor.store.record_service_event(
        wait,
        event_key=f"DEPLOYMENT#{event.id}",
        expires_at=reactor.idempotency_expiry(),
        service_event={
            "event_name": detail.event_name,
            "event_type": detail.event_type,
            "reason": detail.reason,
            "at": event.time.isoformat() if event.time else None,
        },
    )
    return "green deployment failed: wait failed"
