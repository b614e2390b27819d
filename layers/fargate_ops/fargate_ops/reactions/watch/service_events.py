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

from fargate_ops.domain.alert_state import ALERTING_SERVICE_EVENTS
from fargate_ops.domain.alerts import on_circuit_breaker, on_service_event, on_steady_state
from fargate_ops.domain.services import SERVICE_STEADY_STATE, deployment_gave_up
from fargate_ops.reactions.outcome import Outcome
from fargate_ops.reactions.watch.alerting import record, record_and_decide
from fargate_ops.reactions.watch.timeline import deployment_entry, service_action_entry

if TYPE_CHECKING:
    from fargate_ops.reactions.facts import DeploymentFacts, ServiceActionFacts
    from fargate_ops.reactions.reactor import Reactor

WARNING_TYPES = frozenset({"WARN", "ERROR"})


def on_service_action(facts: ServiceActionFacts, reactor: Reactor) -> Outcome:
    event, detail = facts.event, facts.event.detail
    name = detail.event_name
    if name != SERVICE_STEADY_STATE and detail.event_type not in WARNING_TYPES:
        return Outcome.ignored("informational")
    ref = facts.ref
    if ref is None:
        return Outcome.ignored("no service")
    entry = service_action_entry(event, ref)
    policy = reactor.alert_policy
    if name == SERVICE_STEADY_STATE:
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


def on_deployment_state_change(facts: DeploymentFacts, reactor: Reactor) -> Outcome:
    event, detail = facts.event, facts.event.detail
    ref = facts.ref
    if ref is None:
        return Outcome.ignored("no service")
    entry = deployment_entry(event, ref)
    if not deployment_gave_up(detail.event_name, detail.reason):
        return record(reactor, ref, entry.with_detail(reaction="recorded only"))
    policy = reactor.alert_policy
    return record_and_decide(
        reactor,
        ref,
        event,
        entry,
        lambda state: on_circuit_breaker(
            state, detail.event_name, entry.at, detail.deployment_id, detail.reason, policy
        ),
    )
