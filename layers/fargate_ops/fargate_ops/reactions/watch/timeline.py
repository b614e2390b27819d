"""What the timeline keeps of each event: a one-line summary and the facts a person would look up.

ECS shows a stopped task for about an hour; these entries keep why it stopped (stop code, reason, each
container's exit code and reason, image digest, task definition) for the retention period.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from fargate_ops import clock
from fargate_ops.aws.timeline_store import TimelineEntry
from fargate_ops.domain.abnormal import StopClass, StopKind
from fargate_ops.domain.notifications import ServiceRef

if TYPE_CHECKING:
    from fargate_ops.domain.alert_state import Alert
    from fargate_ops.domain.notifications import Notification
    from fargate_ops.models.events import DeploymentStateChange, Event, ServiceAction, TaskStateChange


def _epoch(*moments: datetime | None) -> float:
    """The first known moment, else now (some documented samples carry no time at all)."""
    for moment in moments:
        if moment is not None:
            return moment.timestamp()
    return clock.now_epoch()


def task_time(event: TaskStateChange) -> float:
    detail = event.detail
    return _epoch(detail.stopped_at, detail.stopping_at, detail.updated_at, event.time)


def stop_evidence(event: TaskStateChange, stop: StopClass) -> dict[str, Any]:
    """One stopped task as the timeline and the notifications show it."""
    detail = event.detail
    task_definition = detail.task_definition_arn
    return {
        "task_arn": detail.task_arn,
        "task_id": detail.task_id,
        "version": detail.version,
        "at": clock.iso(task_time(event)),
        "last_status": detail.last_status,
        "stop_code": detail.stop_code,
        "stopped_reason": detail.stopped_reason,
        "started_by": detail.started_by,
        "task_definition": task_definition,
        "revision": task_definition.rsplit("/", 1)[-1] if task_definition else None,
        "capacity_provider": detail.capacity_provider_name,
        "availability_zone": detail.availability_zone,
        "containers": [
            {
                "name": c.name,
                "exit_code": c.exit_code,
                "reason": c.reason,
                "image": c.image,
                "image_digest": c.image_digest,
            }
            for c in detail.containers
        ],
        "classification": str(stop.kind),
        "why": stop.why,
    }


def task_entry(event: TaskStateChange, ref: ServiceRef, stop: StopClass) -> TimelineEntry:
    evidence = stop_evidence(event, stop)
    detail = event.detail
    status = "stopped" if detail.last_status == "STOPPED" else f"{detail.last_status}, to stop"
    summary = f"task {detail.task_id[:12]} ({evidence['revision']}) {status}: {stop.kind}, {stop.why}"
    reasons = [
        f"{c['name']}: {c['reason']}" for c in evidence["containers"] if c["reason"] and c["exit_code"] != 0
    ]
    if stop.kind is StopKind.ABNORMAL and reasons:
        summary += f" ({'; '.join(reasons)})"
    elif detail.stopped_reason:
        summary += f" ({detail.stopped_reason})"
    kind = "spot_interruption" if stop.kind is StopKind.SPOT else "task_stopped"
    return TimelineEntry(ref.cluster, ref.service, task_time(event), event.id, kind, summary, evidence)


def service_action_entry(event: ServiceAction, ref: ServiceRef) -> TimelineEntry:
    detail = event.detail
    at = _epoch(detail.created_at, event.time)
    summary = f"{detail.event_name} ({detail.event_type})" + (f": {detail.reason}" if detail.reason else "")
    facts: dict[str, Any] = {
        "event_name": detail.event_name,
        "event_type": detail.event_type,
        "reason": detail.reason,
        "capacity_providers": list(detail.capacity_provider_arns),
        "container_instances": list(detail.container_instance_arns),
    }
    return TimelineEntry(ref.cluster, ref.service, at, event.id, "service_action", summary, facts)


def deployment_entry(event: DeploymentStateChange, ref: ServiceRef) -> TimelineEntry:
    detail = event.detail
    at = _epoch(event.time, detail.updated_at)
    summary = f"{detail.event_name} {detail.deployment_id or ''}".rstrip()
    if detail.reason:
        summary += f": {detail.reason}"
    facts = {
        "event_name": detail.event_name,
        "event_type": detail.event_type,
        "deployment_id": detail.deployment_id,
        "reason": detail.reason,
    }
    return TimelineEntry(ref.cluster, ref.service, at, event.id, "deployment", summary, facts)


def notification_entry(notification: Notification, ref: ServiceRef, now: float) -> TimelineEntry:
    return TimelineEntry(
        ref.cluster,
        ref.service,
        now,
        f"notification-{notification.id}",
        "notification",
        f"told people: {notification.subject}",
        {"id": notification.id, "kind": str(notification.kind), "subject": notification.subject},
    )


def held_back_entry(alert: Alert, ref: ServiceRef, now: float, event: Event) -> TimelineEntry:
    return TimelineEntry(
        ref.cluster,
        ref.service,
        now,
        f"held-back-{event.id}",
        "notification_held_back",
        f"a {alert.kind} notification was held back by the rate limit",
        {"kind": str(alert.kind), "key": alert.key},
    )
