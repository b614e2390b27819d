"""The rolling update's deployment circuit breaker (deploymentConfiguration.deploymentCircuitBreaker).

As ECS documents it: the breaker counts the new deployment's failed tasks (a task that cannot start,
crashes or fails its health checks; one becoming healthy resets the count); at the threshold,
0.5 x the desired count rounded up but at least 3 and at most 200, the deployment is FAILED and
launches nothing more. With `rollback`, ECS starts a new deployment of the last COMPLETED deployment's
task definition, whose events say it is a rollback; that deployment cannot be rolled back to again
until it completes itself. The event reasons are the real samples' (events/aws/).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fargate_ops_cli.local.world.deployment import Deployment
    from fargate_ops_cli.local.world.parts import ServiceParts

MIN_THRESHOLD, MAX_THRESHOLD = 3, 200
FAILED_EVENT_REASON = "ECS deployment circuit breaker: task failed to start."
FAILED_STATE_REASON = "ECS deployment circuit breaker: tasks failed to start."


def failure_threshold(desired_count: int) -> int:
    return min(MAX_THRESHOLD, max(MIN_THRESHOLD, math.ceil(0.5 * desired_count)))


def rollback_reason(target_deployment_id: str) -> str:
    return f"ECS deployment circuit breaker: rolling back to deploymentId {target_deployment_id}."


class CircuitBreaker:
    def __init__(self, service: ServiceParts) -> None:
        self.service = service

    def on_failure(self, deployment: Deployment, now: float) -> None:
        """Called after `deployment.failed_tasks` grew by one."""
        service = self.service
        if not service.settings.circuit_breaker:
            return
        if deployment is not service.primary or deployment.rollout_state != "IN_PROGRESS":
            return
        if deployment.failed_tasks < failure_threshold(service.desired):
            return
        deployment.rollout_state, deployment.reason, deployment.updated_at = (
            "FAILED",
            FAILED_STATE_REASON,
            now,
        )
        service.event(
            f"(service {service.name}) (deployment {deployment.id}) deployment failed: tasks failed to start."
        )
        service.ctx.emit_deployment(
            service.arn, "SERVICE_DEPLOYMENT_FAILED", deployment.id, FAILED_EVENT_REASON
        )
        target = service.last_completed
        if not service.settings.rollback or target is None:
            return  # stalled: ECS waits for the next UpdateService
        reason = rollback_reason(target.id)
        rollback = service.roll_back(target, reason, now)
        service.event(
            f"(service {service.name}) (deployment {rollback.id}) rolling back to (deployment {target.id})."
        )
        service.ctx.emit_deployment(service.arn, "SERVICE_DEPLOYMENT_IN_PROGRESS", rollback.id, reason)
