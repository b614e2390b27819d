"""ECS Service Action and Deployment State Change outside deploys.

- SERVICE_STEADY_STATE: closes what is open (costs nothing more when nothing is: the repeated steady
  states of healthy services are not recorded).
- SERVICE_TASK_PLACEMENT_FAILURE / _START_IMPAIRED / _CONFIGURATION_FAILURE: recorded, told once.
- other WARN/ERROR service actions: recorded. INFO ones other than steady state: ignored.
- SERVICE_DEPLOYMENT_FAILED, or IN_PROGRESS rolling back (the circuit breaker): recorded, told once.
- other deployment state changes: recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.domain.alerts import (
    ALERTING_SERVICE_EVENTS,
    on_circuit_breaker,
    on_service_event,
    on_steady_state,
)
from fargate_ops.domain.notifications import ServiceRef
from fargate_ops.domain.services import cluster_name, parse_service_arn
from fargate_ops.reactions.alerting import record, record_and_decide
from fargate_ops.reactions.deployment_state import gave_up
from fargate_ops.reactions.timeline import deployment_entry, service_action_entry

if TYPE_CHECKING:
    from fargate_ops.models.events import DeploymentStateChange, Event, ServiceAction
    from fargate_ops.reactions.router import ServiceReactor

STEADY_STATE = "SERVICE_STEADY_STATE"
WARNING_TYPES = frozenset({"WARN", "ERROR"})


def _service_ref(event: Event, cluster_arn: str = "") -> ServiceRef | None:
    if not event.resources:
        return None
    arn_cluster, service = parse_service_arn(event.resources[0])
    cluster = arn_cluster or cluster_name(cluster_arn)
    if not cluster or not service:
        return None
    return ServiceRef(cluster, service, event.region, event.account or None)


def on_service_action(event: ServiceAction, reactor: ServiceReactor) -> str:
    detail = event.detail
    name = detail.event_name
    if name != STEADY_STATE and detail.event_type not in WARNING_TYPES:
        return "ignored: informational"
    ref = _service_ref(event, detail.cluster_arn)
    if ref is None:
        return "ignored: no service"
    entry = service_action_entry(event, ref)
    policy = reactor.alerting.policy
    if name == STEADY_STATE:
        return record_and_decide(
            reactor,
            ref,
            event,
            entry,
            lambda state: on_steady_state(state, entry.at, policy),
            record_when_unchanged=False,
        )
    if name in ALERTING_SERVICE_EVENTS:
        return record_and_decide(
            reactor,
            ref,
            event,
            entry,
            lambda state: on_service_event(state, name, entry.at, detail.reason, policy),
        )
    return record(reactor, ref, entry.with_detail(reaction="recorded only"))


def on_deployment_state_change(event: DeploymentStateChange, reactor: ServiceReactor) -> str:
    detail = event.detail
    ref = _service_ref(event)
    if ref is None:
        return "ignored: no service"
    entry = deployment_entry(event, ref)
    if not gave_up(detail.event_name, detail.reason):
        return record(reactor, ref, entry.with_detail(reaction="recorded only"))
    policy = reactor.alerting.policy
    return record_and_decide(
        reactor,
        ref,
        event,
        entry,
        lambda state: on_circuit_breaker(
            state, detail.event_name, entry.at, detail.deployment_id, detail.reason, policy
        ),
    )
