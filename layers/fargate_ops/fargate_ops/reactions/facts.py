"""An event read once, for both sides of the pipeline: which service it is about, and what it says.

The deploy waits and the watch side both need the service an event names and, for a task, whether its
stop was a failure; ``pipeline.py`` reads those facts here, once per event, and hands them to both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.domain.abnormal import StopClass, classify_stop
from fargate_ops.domain.notifications import ServiceRef
from fargate_ops.domain.services import cluster_name, parse_service_arn, service_from_group
from fargate_ops.domain.stops import stop_decided
from fargate_ops.frozen import frozen

if TYPE_CHECKING:
    from fargate_ops.models.events import (
        AlarmStateChange,
        AnyEvent,
        DeploymentStateChange,
        Event,
        ServiceAction,
        TaskStateChange,
    )


@frozen
class TaskFacts:
    event: TaskStateChange
    ref: ServiceRef | None  # None: a one-off task (group family:...), not a service's
    stopped: bool  # lastStatus STOPPED
    # How the stop counts (a failure, Spot, or normal), from the event in which ECS decides to stop the
    # task (``stop_decided``: desiredStatus STOPPED, minutes before STOPPED) or the STOPPED event.
    stop: StopClass | None


@frozen
class ServiceActionFacts:
    event: ServiceAction
    ref: ServiceRef | None  # None: the event names no service


@frozen
class DeploymentFacts:
    event: DeploymentStateChange
    ref: ServiceRef | None  # None: the event names no service, or its ARN no cluster


@frozen
class AlarmFacts:
    event: AlarmStateChange


@frozen
class OtherFacts:
    event: AnyEvent


Facts = TaskFacts | ServiceActionFacts | DeploymentFacts | AlarmFacts | OtherFacts


def _ref(event: Event, cluster: str | None, service: str | None) -> ServiceRef | None:
    if not cluster or not service:
        return None
    return ServiceRef(cluster, service, event.region, event.account or None)


def task_facts(event: TaskStateChange) -> TaskFacts:
    detail = event.detail
    stopped = detail.last_status == "STOPPED"
    stop = None
    if stop_decided(detail.last_status, detail.desired_status):
        stop = classify_stop(detail.stop_code, detail.exit_codes, detail.stopped_reason, detail.started_by)
    ref = _ref(event, cluster_name(detail.cluster_arn), service_from_group(detail.group))
    return TaskFacts(event, ref, stopped, stop)


def service_action_facts(event: ServiceAction) -> ServiceActionFacts:
    if not event.resources:
        return ServiceActionFacts(event, None)
    arn_cluster, service = parse_service_arn(event.resources[0])
    cluster = arn_cluster or cluster_name(event.detail.cluster_arn)
    return ServiceActionFacts(event, _ref(event, cluster, service))


def deployment_facts(event: DeploymentStateChange) -> DeploymentFacts:
    """Deployment events carry no cluster ARN in their detail: the service ARN's own cluster only."""
    if not event.resources:
        return DeploymentFacts(event, None)
    cluster, service = parse_service_arn(event.resources[0])
    return DeploymentFacts(event, _ref(event, cluster, service))
