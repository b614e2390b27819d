"""ECS Task State Change outside deploys: every stop recorded, crash loops and Spot waves told.

A normal stop costs one write (its timeline entry and its ``(taskArn, version)`` guard, together). An
abnormal stop or a Spot interruption also reads the service's state (the read the deploy reaction
already made, when it made one) and writes the next state in that same write. Those two count from the
event in which ECS decides to stop the task (``stop_decided``), minutes before it is STOPPED; the
STOPPED event of the same task is then known already and costs the read only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.aws.timeline_store import TaskGuard
from fargate_ops.domain.abnormal import StopKind, classify_stop, fingerprint
from fargate_ops.domain.alerts import AbnormalStop, on_abnormal_stop, on_spot_interruption
from fargate_ops.domain.notifications import ServiceRef
from fargate_ops.domain.services import cluster_name, service_from_group
from fargate_ops.domain.stops import stop_decided
from fargate_ops.reactions.alerting import record, record_and_decide
from fargate_ops.reactions.timeline import task_entry, task_time

if TYPE_CHECKING:
    from fargate_ops.models.events import TaskStateChange
    from fargate_ops.reactions.router import ServiceReactor


def on_task_event(event: TaskStateChange, reactor: ServiceReactor) -> str:
    detail = event.detail
    service = service_from_group(detail.group)
    if service is None:
        return "ignored: not a service task"
    if not stop_decided(detail.last_status, detail.desired_status):
        return "ignored: not stopped"
    stop = classify_stop(detail.stop_code, detail.exit_codes, detail.stopped_reason, detail.started_by)
    if detail.last_status != "STOPPED" and stop.kind is StopKind.NORMAL:
        return "ignored: not stopped"  # a normal stop is recorded once, when STOPPED
    ref = ServiceRef(cluster_name(detail.cluster_arn), service, event.region, event.account or None)
    entry = task_entry(event, ref, stop)
    guard = TaskGuard(detail.task_arn, detail.version, event.id)
    policy = reactor.alerting.policy
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
