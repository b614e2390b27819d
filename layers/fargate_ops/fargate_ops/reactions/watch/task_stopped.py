"""ECS Task State Change outside deploys: every stop recorded, crash loops and Spot waves told.

A normal stop costs one write (its timeline entry and its ``(taskArn, version)`` guard, together). An
abnormal stop or a Spot interruption also reads the service's state (the read the deploy side already
made, when it made one) and writes the next state in that same write. Those two count from the
event in which ECS decides to stop the task (``stop_decided``), minutes before it is STOPPED; the
STOPPED event of the same task is then known already and costs the read only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.aws.timeline_store import TaskGuard
from fargate_ops.domain.abnormal import StopKind, fingerprint
from fargate_ops.domain.alert_state import AbnormalStop
from fargate_ops.domain.alerts import on_spot_interruption
from fargate_ops.domain.crash_loop import on_abnormal_stop
from fargate_ops.reactions.outcome import Outcome
from fargate_ops.reactions.watch.alerting import record, record_and_decide
from fargate_ops.reactions.watch.timeline import task_entry, task_time

if TYPE_CHECKING:
    from fargate_ops.reactions.facts import TaskFacts
    from fargate_ops.reactions.reactor import Reactor


def on_task_state_change(facts: TaskFacts, reactor: Reactor) -> Outcome:
    event, detail = facts.event, facts.event.detail
    if facts.ref is None:
        return Outcome.ignored("not a service task")
    stop = facts.stop
    if stop is None:
        return Outcome.ignored("not stopped")
    if not facts.stopped and stop.kind is StopKind.NORMAL:
        return Outcome.ignored("not stopped")  # a normal stop is recorded once, when STOPPED
    ref = facts.ref
    entry = task_entry(event, ref, stop)
    guard = TaskGuard(detail.task_arn, detail.version, event.id)
    policy = reactor.alert_policy
    if stop.kind is StopKind.NORMAL:
        return record(reactor, ref, entry.with_detail(reaction="normal stop: recorded only"), guard)
    at = task_time(event)
    if stop.kind is StopKind.SPOT:
        return record_and_decide(
            reactor,
            ref,
            event,
            entry,
            lambda state: on_spot_interruption(state, at, detail.task_arn, policy),
            guard=guard,
        )
    failed = AbnormalStop(
        at=at,
        task=detail.task_arn,
        fingerprint=fingerprint(
            detail.task_definition_arn,
            detail.stop_code,
            detail.stopped_reason,
            detail.exit_codes,
            {c.name: c.reason for c in detail.containers},
        ),
        evidence=entry.detail,
    )
    return record_and_decide(
        reactor, ref, event, entry, lambda state: on_abnormal_stop(state, failed, policy), guard=guard
    )
