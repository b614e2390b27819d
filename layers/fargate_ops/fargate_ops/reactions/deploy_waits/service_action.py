"""ECS Service Action: green steady state completes the wait; warnings become rollback evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.aws import keys
from fargate_ops.domain.deploy import steady_event_is_fresh
from fargate_ops.domain.services import SERVICE_STEADY_STATE
from fargate_ops.reactions.outcome import Outcome

if TYPE_CHECKING:
    from fargate_ops.reactions.facts import ServiceActionFacts
    from fargate_ops.reactions.reactor import Reactor

EVIDENCE_TYPES = frozenset({"WARN", "ERROR"})
# Steady state ends readiness waits only: a bake or an approval is not over because green is steady.
READY_KINDS = frozenset({"ready", "steady_state"})


def on_service_action(facts: ServiceActionFacts, reactor: Reactor) -> Outcome:
    event = facts.event
    detail = event.detail
    if facts.ref is None:
        return Outcome.ignored("no service")
    steady = detail.event_name == SERVICE_STEADY_STATE
    if not steady and detail.event_type not in EVIDENCE_TYPES:
        return Outcome.ignored("informational")
    wait = reactor.store.get_wait(facts.ref.cluster, facts.ref.service)
    if wait is None:
        return Outcome.ignored("nobody waits on the service")
    key = keys.service_action_seen(event.id)
    emitted = detail.created_at or event.time
    if steady:
        if wait.awaiting not in READY_KINDS:
            return Outcome.ignored("the wait on the service is not for readiness")
        if not steady_event_is_fresh(emitted.timestamp() if emitted else None, wait.since):
            return Outcome.ignored("steady state from before green was updated")
        # Send first (repeating it is harmless), then retire the WAIT item and remember the event.
        sent = reactor.sfn.send_success(
            wait.task_token,
            {
                "ready": True,
                "via": "event",
                "event_id": event.id,
                "at": clock.iso(emitted.timestamp() if emitted else None),
            },
        )
        reactor.store.complete_wait(wait, event_key=key, expires_at=reactor.idempotency_expiry())
        if not sent:  # a copy delivered beside this one (or the fallback check, or a timeout) ended it
            return Outcome.ignored("the readiness wait is already over")
        return Outcome.acted("green ready: wait completed")
    recorded = reactor.store.record_service_event(
        wait,
        event_key=key,
        expires_at=reactor.idempotency_expiry(),
        service_event={
            "event_name": detail.event_name,
            "event_type": detail.event_type,
            "reason": detail.reason,
            "at": emitted.isoformat() if emitted else None,
        },
    )
    return Outcome.acted("evidence recorded") if recorded else Outcome.duplicate()
