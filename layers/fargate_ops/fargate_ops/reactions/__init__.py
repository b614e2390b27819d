"""What the ECS events function does with each event.

Most events need nothing; those cost at most one DynamoDB read (is anyone waiting on this service?).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.aws.adapters import Adapters

if TYPE_CHECKING:
    from fargate_ops.models.events import AnyEvent

# EventBridge retries a target for up to 24 h; idempotency markers must outlive that.
IDEMPOTENCY_SECONDS = 48 * 3600


@dataclass
class Reactor(Adapters):
    """Adapters (built on first use) and the knobs the reactions need."""

    @property
    def crash_loop_threshold(self) -> int:
        return self.settings.crash_loop_threshold

    def idempotency_expiry(self) -> int:
        return int(clock.now_epoch() + IDEMPOTENCY_SECONDS)


def react(event: AnyEvent, reactor: Reactor) -> str:
    """Act on one event; returns what was done (for the log line and the metric)."""
    from fargate_ops.models import events

    if isinstance(event, events.TaskStateChange):
        from fargate_ops.reactions.task_stopped import on_task_state_change

        return on_task_state_change(event, reactor)
    if isinstance(event, events.ServiceAction):
        from fargate_ops.reactions.service_action import on_service_action

        return on_service_action(event, reactor)
    if isinstance(event, events.DeploymentStateChange):
        from fargate_ops.reactions.deployment_state import on_deployment_state_change

        return on_deployment_state_change(event, reactor)
    if isinstance(event, events.AlarmStateChange):
        from fargate_ops.reactions.deploy_alarm import on_alarm_state_change

        return on_alarm_state_change(event, reactor)
    # Container instances are EC2-only noise.
    return "ignored"
