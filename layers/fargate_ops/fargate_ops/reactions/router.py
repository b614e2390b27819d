"""The reactions outside deploys: a timeline per service, and notifications people can act on.

The ECS events function calls the deploy-wait reactions first (``fargate_ops.reactions.react``), then
``route``. Both get the same ``ServiceReactor``: its ``store`` answers the deploy reactions' WAIT reads
from the one Query that also reads this module's own state, so an event that needs no action costs at
most one DynamoDB call for both halves together (see docs/reactions.md and scripts/bench_events.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from fargate_ops import clock
from fargate_ops.aws.store import Store
from fargate_ops.aws.timeline_store import SharedReadStore, TimelineStore
from fargate_ops.errors import FargateOpsError
from fargate_ops.reactions import Reactor
from fargate_ops.reactions.alert_settings import AlertSettings

if TYPE_CHECKING:
    from fargate_ops.aws.notifier import NotificationTopic
    from fargate_ops.models.events import AnyEvent

DAY = 86_400


@dataclass
class ServiceReactor(Reactor):
    """The deploy reactions' ``Reactor``, plus what the reactions outside deploys use."""

    alerting: AlertSettings = field(default_factory=AlertSettings)
    _task_definitions: dict[str, dict[str, Any] | None] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def timeline(self) -> TimelineStore:
        return TimelineStore(self.client_factory("dynamodb"), self.settings.table_name)

    @cached_property
    def store(self) -> Store:
        return SharedReadStore(self.client_factory("dynamodb"), self.settings.table_name, self.timeline)

    @cached_property
    def topic(self) -> NotificationTopic:
        from fargate_ops.aws.notifier import NotificationTopic

        return NotificationTopic(self.client_factory("sns"), self.settings.topic_arn)

    def timeline_expiry(self) -> int:
        return int(clock.now_epoch() + self.alerting.timeline_retention_days * DAY)

    def task_definition(self, arn: str) -> dict[str, Any] | None:
        """The task definition (for its log configuration), or None if it cannot be read.

        Only a crash-loop notification asks, and a missing link must not hold the notification back.
        """
        if not arn:
            return None
        if arn not in self._task_definitions:
            try:
                self._task_definitions[arn] = self.ecs.describe_task_definition(arn)[0]
            except FargateOpsError:
                self._task_definitions[arn] = None
        return self._task_definitions[arn]


def route(event: AnyEvent, reactor: ServiceReactor) -> str:
    """Record the event in its service's timeline and tell people what needs them; returns what was done."""
    from fargate_ops.models import events

    if isinstance(event, events.TaskStateChange):
        from fargate_ops.reactions.crash_loop import on_task_event

        return on_task_event(event, reactor)
    if isinstance(event, events.ServiceAction):
        from fargate_ops.reactions.service_alerts import on_service_action

        return on_service_action(event, reactor)
    if isinstance(event, events.DeploymentStateChange):
        from fargate_ops.reactions.service_alerts import on_deployment_state_change

        return on_deployment_state_change(event, reactor)
    if isinstance(event, events.ContainerInstanceStateChange):
        return "ignored: EC2 container instances are not watched"
    if isinstance(event, events.AlarmStateChange):
        return "ignored: alarms are the deploy engine's"
    return "ignored: not an event fargate-ops watches"
