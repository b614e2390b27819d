"""One ECS service's scheduler, as ECS runs it for a Fargate service with the rolling-update controller.

Each reconcile reads what the application asked for (moto's desiredCount and taskDefinition, and a
forceNewDeployment, which moto shows only as a new id on the first deployment), moves tasks through
their lifecycle, and writes back what ECS would report (runningCount, pendingCount, deployments, events).

Rolling update with minimumHealthyPercent 100 / maximumPercent 200: the new PRIMARY deployment starts
its tasks at once; an old (ACTIVE) deployment's task is stopped only when a new one is healthy in its
target groups, so capacity never drops below desired. A task that never becomes healthy counts as a
failed start; after 3 in a row ECS reports SERVICE_TASK_START_IMPAIRED and throttles launches. With the
deployment circuit breaker on, failed tasks of the new deployment can fail it (breaker.py). Failing ELB
health checks replace a task only once its health check grace period is over.
"""

from __future__ import annotations

from typing import Any

from fargate_ops_cli.local.world.breaker import CircuitBreaker
from fargate_ops_cli.local.world.context import WorldContext
from fargate_ops_cli.local.world.deployment import Deployment
from fargate_ops_cli.local.world.lifecycle import TaskLifecycle
from fargate_ops_cli.local.world.moto_access import (
    TaskDefinition,
    resolve_task_definition,
    service_settings,
)
from fargate_ops_cli.local.world.targets import Target, TargetRegistry
from fargate_ops_cli.local.world.tasks import STARTING, SimTask
from fargate_ops_cli.local.world.timefmt import aware

STEADY_REPEAT_SECONDS = 6 * 3600  # ECS repeats SERVICE_STEADY_STATE at most every 6 hours while steady
IMPAIRED_AFTER_FAILURES = 3
IMPAIRED_REPEAT_SECONDS = 900
MAX_SERVICE_EVENTS = 100  # DescribeServices shows the last 100 service event messages


class ServiceController:
    def __init__(
        self, ctx: WorldContext, registry: TargetRegistry, moto_service: Any, task_def: TaskDefinition
    ) -> None:
        now = ctx.clock.now()
        self.ctx = ctx
        self.registry = registry
        self.name: str = moto_service.name
        self.arn: str = moto_service.arn
        self.cluster_name: str = moto_service.cluster_name
        self.cluster_arn: str = moto_service.cluster_arn
        first_id = moto_service.deployments[0]["id"] if moto_service.deployments else ctx.deployment_id()
        self.deployments = [Deployment(first_id, task_def, now, now)]
        self.tasks: list[SimTask] = []
        self.desired = int(moto_service.desired_count or 0)
        self.settings = service_settings(moto_service)
        self.last_completed: Deployment | None = None  # what the circuit breaker rolls back to
        self.active = True
        self.consecutive_failures = 0
        self.next_launch_at = 0.0
        self.impaired_at: float | None = None
        self.steady = False
        self.steady_at = 0.0
        self.events: list[dict[str, Any]] = []
        self.lifecycle = TaskLifecycle(self)
        self.breaker = CircuitBreaker(self)

    @property
    def primary(self) -> Deployment:
        return self.deployments[0]

    @property
    def finished(self) -> bool:
        """A deleted service whose tasks have all stopped: the simulator forgets it."""
        return not self.active and all(t.last_status == "STOPPED" for t in self.tasks)

    def moto_service(self) -> Any:
        return self.ctx.backends.ecs.services.get(f"{self.cluster_name}:{self.name}")

    # -- one reconcile ---------------------------------------------------------------------------------
    def reconcile(self, now: float) -> None:
        self.observe(now)
        self.lifecycle.advance(now)
        self._replace_unhealthy(now)
        self._schedule(now)
        self._retire_deployments(now)
        self._check_steady(now)
        self.write_moto(now)
        self._forget_old_stopped(now)

    def observe(self, now: float) -> None:
        service = self.moto_service()
        self.active = service is not None and service.status == "ACTIVE"
        if not self.active:
            self.desired = 0
            return
        self.desired = int(service.desired_count or 0)
        self.settings = service_settings(service)
        task_def = resolve_task_definition(self.ctx.backends.ecs, service.task_definition)
        moto_id = service.deployments[0].get("id") if service.deployments else None
        forced = moto_id is not None and all(d.id != moto_id for d in self.deployments)
        if task_def is not None and (task_def.arn != self.primary.task_definition.arn or forced):
            self._new_deployment(task_def, moto_id if forced and moto_id else self.ctx.deployment_id(), now)

    def _new_deployment(self, task_def: TaskDefinition, deployment_id: str, now: float) -> None:
        self.primary.status, self.primary.updated_at = "ACTIVE", now
        self.deployments.insert(0, Deployment(deployment_id, task_def, now, now))
        self.consecutive_failures, self.next_launch_at, self.impaired_at = 0, 0.0, None
        self.ctx.emit_deployment(
            self.arn,
            "SERVICE_DEPLOYMENT_IN_PROGRESS",
            deployment_id,
            f"ECS deployment {deployment_id} in progress.",
        )

    # -- health ----------------------------------------------------------------------------------------
    def healthy(self, task: SimTask) -> bool:
        if task.last_status != "RUNNING":
            return False
        for binding in task.bindings:
            target = self.registry.get(binding.target_group_arn, task.ip)
            if target is None or target.state != "healthy":
                return False
        return True

    def on_target_changed(self, target: Target, now: float) -> None:
        task = next((t for t in self.tasks if t.arn == target.task_arn), None)
        if task is not None and target.state == "healthy" and self.healthy(task):
            self.task_became_healthy(task)

    def task_became_healthy(self, task: SimTask) -> None:
        task.healthy_once = True
        self.consecutive_failures, self.next_launch_at, self.impaired_at = 0, 0.0, None
        deployment = self._deployment_of(task)
        if deployment is not None:
            deployment.failed_tasks = 0  # the circuit breaker's resetOnHealthyTask (true by default)

    def _deployment_of(self, task: SimTask) -> Deployment | None:
        return next((d for d in self.deployments if d.id == task.deployment_id), None)

    def note_failure(self, task: SimTask, now: float) -> None:
        deployment = self._deployment_of(task)
        if deployment is not None:
            deployment.failed_tasks += 1
            self.breaker.on_failure(deployment, now)
        if task.healthy_once:
            return  # it started fine and failed later: not a failed start
        self.consecutive_failures += 1
        extra = self.consecutive_failures - IMPAIRED_AFTER_FAILURES
        if extra < 0:
            return
        # ECS backs off launching tasks that keep failing to start.
        self.next_launch_at = now + min(30.0 * 2**extra, 900.0)
        if self.impaired_at is None or now - self.impaired_at >= IMPAIRED_REPEAT_SECONDS:
            self.impaired_at = now
            self.ctx.emit_service_action(self.arn, self.cluster_arn, "WARN", "SERVICE_TASK_START_IMPAIRED")
            self.event(
                f"(service {self.name}) is unable to consistently start tasks successfully. "
                "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
            )

    def _replace_unhealthy(self, now: float) -> None:
        for task in self.tasks:
            if not (task.live and task.last_status == "RUNNING"):
                continue
            if now < task.times.get("startedAt", now) + self.settings.grace_period:
                continue  # healthCheckGracePeriodSeconds: ECS ignores ELB health checks of a new task
            for binding in task.bindings:
                target = self.registry.get(binding.target_group_arn, task.ip)
                if target is None or target.state != "unhealthy" or target.since >= now:
                    continue  # ECS notices an unhealthy target on its next look, not in the same instant
                tg = binding.target_group_arn
                self.event(
                    f"(service {self.name}) (port {binding.container_port}) is unhealthy in "
                    f"(target-group {tg}) "
                    f"due to (reason {target.health[2]})."
                )
                self.lifecycle.stopper.begin(
                    task,
                    now,
                    "ServiceSchedulerInitiated",
                    f"Task failed ELB health checks in (target-group {tg})",
                )
                self.note_failure(task, now)
                self.event(f"(service {self.name}) has stopped 1 running tasks: (task {task.id}).")
                break

    # -- scheduling ------------------------------------------------------------------------------------
    def _schedule(self, now: float) -> None:
        primary = self.primary
        live_new = [t for t in self.tasks if t.live and t.deployment_id == primary.id]
        if len(live_new) > self.desired:
            surplus = sorted(live_new, key=self._stop_order)[: len(live_new) - self.desired]
            self._stop(surplus, now, f"Scaling activity initiated by (deployment {primary.id})")
        elif (
            len(live_new) < self.desired and now >= self.next_launch_at and primary.rollout_state != "FAILED"
        ):
            # A FAILED deployment (circuit breaker, no rollback) launches nothing more.
            count = self.desired - len(live_new)
            if self.consecutive_failures >= IMPAIRED_AFTER_FAILURES:
                count = 1  # throttled: one attempt at a time
            self.lifecycle.launch(count, now)
        old = [t for t in self.tasks if t.live and t.deployment_id != primary.id]
        if old:
            healthy_new = sum(
                1 for t in self.tasks if t.live and t.deployment_id == primary.id and self.healthy(t)
            )
            keep = max(0, self.desired - healthy_new)
            order = {d.id: i for i, d in enumerate(self.deployments)}
            victims = sorted(
                old, key=lambda t: (self._stop_order(t)[0], -order[t.deployment_id], t.created_at)
            )
            for task in victims[: max(0, len(old) - keep)]:
                self._stop([task], now, f"Scaling activity initiated by (deployment {task.deployment_id})")

    def _stop_order(self, task: SimTask) -> tuple[int, float, str]:
        rank = 0 if task.last_status in STARTING else (2 if self.healthy(task) else 1)
        return rank, -task.created_at, task.id

    def _stop(self, tasks: list[SimTask], now: float, reason: str) -> None:
        if not tasks:
            return
        for task in tasks:
            self.lifecycle.stopper.begin(task, now, "ServiceSchedulerInitiated", reason)
        listed = " ".join(f"(task {t.id})" for t in tasks)
        self.event(f"(service {self.name}) has stopped {len(tasks)} running tasks: {listed}.")

    # -- deployments and steady state ------------------------------------------------------------------
    def settled(self) -> bool:
        """Desired tasks RUNNING and healthy, and nothing else still starting or stopping."""
        if any(t.last_status != "STOPPED" and not (t.live and self.healthy(t)) for t in self.tasks):
            return False
        return sum(1 for t in self.tasks if t.live) == self.desired

    def _retire_deployments(self, now: float) -> None:
        self.deployments[1:] = [
            d
            for d in self.deployments[1:]
            if any(t.deployment_id == d.id and t.last_status != "STOPPED" for t in self.tasks)
        ]
        primary = self.primary
        if (
            self.active
            and primary.rollout_state == "IN_PROGRESS"
            and len(self.deployments) == 1
            and self.settled()
        ):
            primary.updated_at = now
            self.mark_completed()
            self.ctx.emit_deployment(
                self.arn,
                "SERVICE_DEPLOYMENT_COMPLETED",
                primary.id,
                f"ECS deployment {primary.id} completed.",
            )

    def mark_completed(self) -> None:
        self.primary.rollout_state, self.primary.reason = "COMPLETED", None
        self.last_completed = self.primary

    def roll_back(self, target: Deployment, reason: str, now: float) -> Deployment:
        """A new PRIMARY deployment of `target`'s task definition (the circuit breaker's rollback)."""
        rollback = Deployment(self.ctx.deployment_id(), target.task_definition, now, now, reason=reason)
        self.primary.status, self.primary.updated_at = "ACTIVE", now
        self.deployments.insert(0, rollback)
        # Not eligible for another rollback until it completes again (ECS: the deployment is IN_PROGRESS).
        self.last_completed = None
        self.consecutive_failures, self.next_launch_at, self.impaired_at = 0, 0.0, None
        service = self.moto_service()
        if service is not None:
            service.task_definition = target.task_definition.arn  # DescribeServices shows the rollback's
        return rollback

    def _check_steady(self, now: float) -> None:
        steady = (
            self.active
            and len(self.deployments) == 1
            and self.primary.rollout_state == "COMPLETED"
            and self.settled()
        )
        if steady and (not self.steady or now - self.steady_at >= STEADY_REPEAT_SECONDS):
            self.steady_at = now
            self.ctx.emit_service_action(self.arn, self.cluster_arn, "INFO", "SERVICE_STEADY_STATE")
            self.event(f"(service {self.name}) has reached a steady state.")
        self.steady = steady

    # -- what DescribeServices shows -------------------------------------------------------------------
    def event(self, message: str) -> None:
        entry = {"id": self.ctx.uuid(), "createdAt": aware(self.ctx.clock.now()), "message": message}
        self.events.insert(0, entry)
        del self.events[MAX_SERVICE_EVENTS:]

    def write_moto(self, now: float) -> None:
        service = self.moto_service()
        if service is None:
            return
        service.running_count = sum(1 for t in self.tasks if t.last_status == "RUNNING")
        service.pending_count = sum(1 for t in self.tasks if t.last_status in STARTING)
        service.deployments = [self._deployment_view(d, service) for d in self.deployments]
        service.events = list(self.events)

    def _deployment_view(self, d: Deployment, service: Any) -> dict[str, Any]:
        mine = [t for t in self.tasks if t.deployment_id == d.id]
        live = sum(1 for t in mine if t.live)
        state = "completed" if d.rollout_state == "COMPLETED" else "in progress"
        strategy = getattr(service, "capacity_provider_strategy", None)
        placement = {"capacityProviderStrategy": strategy} if strategy else {"launchType": "FARGATE"}
        return {
            "createdAt": aware(d.created_at),
            "desiredCount": self.desired if d is self.primary else live,
            "failedTasks": d.failed_tasks,
            "id": d.id,
            **placement,
            "pendingCount": sum(1 for t in mine if t.last_status in STARTING),
            "rolloutState": d.rollout_state,
            "rolloutStateReason": d.reason or f"ECS deployment {d.id} {state}.",
            "runningCount": sum(1 for t in mine if t.last_status == "RUNNING"),
            "platformVersion": "1.4.0",
            "networkConfiguration": service.network_configuration or None,
            "platformFamily": "Linux",
            "status": d.status,
            "taskDefinition": d.task_definition.arn,
            "updatedAt": aware(d.updated_at),
        }

    def _forget_old_stopped(self, now: float) -> None:
        """ECS shows a stopped task for about an hour; after that DescribeTasks no longer finds it."""
        keep = []
        for task in self.tasks:
            if task.last_status == "STOPPED" and now - task.times.get("stoppedAt", now) >= 3600:
                self.ctx.backends.ecs.tasks.get(self.cluster_name, {}).pop(task.arn, None)
            else:
                keep.append(task)
        self.tasks = keep
