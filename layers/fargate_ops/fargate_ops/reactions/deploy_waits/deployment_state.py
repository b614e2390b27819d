"""ECS Deployment State Change: ECS giving up on green's deployment fails the wait at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.aws import keys
from fargate_ops.domain.deploy import steady_event_is_fresh
from fargate_ops.domain.services import deployment_gave_up
from fargate_ops.errors import GreenNotReadyError
from fargate_ops.reactions.outcome import Outcome

if TYPE_CHECKING:
    from fargate_ops.reactions.facts import DeploymentFacts
    from fargate_ops.reactions.reactor import Reactor

NOT_READY_ERROR = GreenNotReadyError.__name__


def on_deployment_state_change(facts: DeploymentFacts, reactor: Reactor) -> Outcome:
    event = facts.event
    detail = event.detail
    if not deployment_gave_up(detail.event_name, detail.reason) or not event.resources:
        return Outcome.ignored("deployment progressing")
    if facts.ref is None:
        return Outcome.ignored("service ARN without a cluster")
    cluster, service = facts.ref.cluster, facts.ref.service
    wait = reactor.store.get_wait(cluster, service)
    if wait is None:
        return Outcome.ignored("nobody waits on the service")
    if not steady_event_is_fresh(event.epoch, wait.since):
        return Outcome.ignored("from before green was updated")
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
        event_key=keys.deployment_seen(event.id),
        expires_at=reactor.idempotency_expiry(),
        service_event={
            "event_name": detail.event_name,
            "event_type": detail.event_type,
            "reason": detail.reason,
            "at": event.time.isoformat() if event.time else None,
        },
    )
    return Outcome.acted("green deployment failed: wait failed")
