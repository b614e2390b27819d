"""Moves a service's tasks through the Fargate lifecycle, one step per task per reconcile.

One step per reconcile keeps every lastStatus visible to DescribeTasks for at least one tick and gives
each step its own event `version`, as ECS does. Times in events are the reconcile times. Starting is
here (PROVISIONING -> PENDING -> RUNNING, or a failed start from PENDING); stopping is stopping.py's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fargate_ops_cli.local.world import events
from fargate_ops_cli.local.world.context import SOURCE_ECS, TASK_STATE_CHANGE
from fargate_ops_cli.local.world.registry import gone_image
from fargate_ops_cli.local.world.spec import FailsToStart
from fargate_ops_cli.local.world.stopping import TaskStopper
from fargate_ops_cli.local.world.tasks import (
    LoadBalancerBinding,
    SimTask,
    build_containers,
    create_moto_task,
    mirror,
)

if TYPE_CHECKING:
    from fargate_ops_cli.local.world.parts import ServiceParts

PROVISIONING_SECONDS = 10.0  # at most: creating and attaching the task's ENI
# Fargate fetches secrets and registry auth before it pulls: such a failure never starts a pull.
SECRETS_FAILURE = "ResourceInitializationError"
PULL_FAILS = FailsToStart.model_validate("image_missing")


class TaskLifecycle:
    def __init__(self, service: ServiceParts) -> None:
        self.service = service
        self.ctx = service.ctx
        self.stopper = TaskStopper(self)

    # -- start -----------------------------------------------------------------------------------------
    def launch(self, count: int, now: float, silent: bool = False) -> list[SimTask]:
        launched = [self._new_task(now) for _ in range(count)]
        for task in launched:
            self._publish(task, now, silent)
        if launched and not silent:
            listed = " ".join(f"(task {t.id})" for t in launched)
            self.service.event(f"(service {self.service.name}) has started {len(launched)} tasks: {listed}.")
        return launched

    def _new_task(self, now: float) -> SimTask:
        service, ctx = self.service, self.ctx
        moto_service = service.moto_service()
        task_def = service.primary.task_definition
        network = moto_service.network_configuration or {
            "awsvpcConfiguration": {
                "subnets": ctx.world.subnet_ids,
                "securityGroups": [ctx.world.security_group_id],
            }
        }
        subnets: list[str] = network["awsvpcConfiguration"]["subnets"]
        # ECS spreads a service's tasks across availability zones: the subnet with the fewest live tasks.
        subnet_id = min(
            subnets,
            key=lambda s: (sum(1 for t in service.tasks if t.live and t.subnet_id == s), subnets.index(s)),
        )
        subnet = ctx.backends.ec2.get_subnet(subnet_id)
        ip = ctx.allocate_ip(subnet.cidr_block)
        task_id = ctx.task_id()
        arn_prefix = service.cluster_arn.split(":cluster/")[0]
        containers = build_containers(task_def, task_id, service.cluster_name, arn_prefix, ctx.uuid)
        bindings = [
            LoadBalancerBinding(
                lb["targetGroupArn"], lb.get("containerName", ""), int(lb.get("containerPort", 80))
            )
            for lb in (moto_service.load_balancers or [])
            if lb.get("targetGroupArn")
        ]
        served = bindings[0].container_name if bindings else None
        image = next(
            (c.image for c in containers if c.name == served), containers[0].image if containers else ""
        )
        behaviour = ctx.behaviour_for_task(image)
        gone = gone_image(ctx.backends, [c.image for c in containers])
        if gone is not None:  # deleted from the account's ECR: the pull fails (world/registry.py)
            image, behaviour = gone, behaviour.model_copy(update={"fails_to_start": PULL_FAILS})
        dns_suffix = "ec2.internal" if ctx.region == "us-east-1" else f"{ctx.region}.compute.internal"
        task = SimTask(
            id=task_id,
            arn=f"{arn_prefix}:task/{service.cluster_name}/{task_id}",
            cluster_arn=service.cluster_arn,
            service_name=service.name,
            deployment_id=service.primary.id,
            task_definition_arn=task_def.arn,
            cpu=str(task_def.cpu or 256),
            memory=str(task_def.memory or 512),
            image=image,
            containers=containers,
            bindings=bindings,
            subnet_id=subnet_id,
            availability_zone=subnet.availability_zone,
            ip=ip,
            private_dns_name=f"ip-{ip.replace('.', '-')}.{dns_suffix}",
            eni_id="",
            mac_address="",
            attachment_id=ctx.uuid(),
            created_at=now,
            pending_at=now + min(PROVISIONING_SECONDS, behaviour.start_seconds / 2),
            running_at=now + behaviour.start_seconds,
            behaviour=behaviour,
            capacity_provider=service.settings.capacity_provider,
        )
        cluster = ctx.backends.ecs.clusters[service.cluster_name]
        create_moto_task(
            ctx.backends.ecs, cluster, task_def, task, moto_service.network_configuration or network
        )
        service.tasks.append(task)
        return task

    def warm(self, task: SimTask, now: float) -> None:
        """For a warm start: the task has been RUNNING and healthy since before the run (no events).

        Its image was pulled before the run began, so an image that now fails to start does not stop it.
        """
        self._to_pending(task, now, silent=True)
        self._to_running(task, now, silent=True)
        for binding in task.bindings:
            target = self.service.registry.get(binding.target_group_arn, task.ip)
            if target is not None and target.passing:
                target.state, target.due = "healthy", None
        if self.service.healthy(task):
            self.service.task_became_healthy(task)

    # -- one step per reconcile ------------------------------------------------------------------------
    def advance(self, now: float) -> None:
        for task in self.service.tasks:
            status = task.last_status
            if status == "STOPPED":
                continue
            moto_task = task.moto
            if (
                task.desired_status == "RUNNING"
                and moto_task is not None
                and moto_task.desired_status == "STOPPED"
            ):
                # StopTask by the application: moto marked it STOPPED at once; ECS would drain it first.
                self.stopper.begin(
                    task, now, "UserInitiated", moto_task.stopped_reason or "Task stopped by user"
                )
            elif task.desired_status == "STOPPED":
                self.stopper.advance(task, now)
            elif status == "PROVISIONING" and now >= task.pending_at:
                self._to_pending(task, now)
            elif status == "PENDING" and task.fail_at is not None:
                if now >= task.fail_at:
                    self._fail_to_start(task, now)
            elif status == "PENDING" and now >= task.running_at:
                self._to_running(task, now)
            elif status == "RUNNING" and task.crash_at is not None and now >= task.crash_at:
                self._crash(task, now)

    def _to_pending(self, task: SimTask, now: float, silent: bool = False) -> None:
        failure = None if silent else task.behaviour.fails_to_start
        task.times["connectivityAt"] = now
        if failure is None or not failure.reason.startswith(SECRETS_FAILURE):
            task.times["pullStartedAt"] = now
        if failure is not None:
            task.fail_at = now + failure.after_seconds
        self.step(task, now, "PENDING", silent)

    def _to_running(self, task: SimTask, now: float, silent: bool = False) -> None:
        behaviour = task.behaviour
        task.times["pullStoppedAt"] = now
        task.times["startedAt"] = now
        for container in task.containers:
            container.last_status = "RUNNING"
        if behaviour.crash_after_seconds is not None:
            task.crash_at = now + behaviour.crash_after_seconds
        for binding in task.bindings:
            # ECS registers the task's IP in each of the service's target groups once it is RUNNING.
            self.service.registry.register(
                binding.target_group_arn,
                task.ip,
                binding.container_port,
                task.arn,
                not behaviour.never_healthy,
                now,
            )
            if not silent:
                tg = binding.target_group_arn
                self.service.event(
                    f"(service {self.service.name}) registered 1 targets in (target-group {tg})"
                )
        if not task.bindings:
            self.service.task_became_healthy(task)  # no load balancer: RUNNING is as healthy as it gets
        self.step(task, now, "RUNNING", silent)

    def _crash(self, task: SimTask, now: float) -> None:
        behaviour = task.behaviour
        exits = {c.name: (behaviour.exit_code if c.image == task.image else 0) for c in task.containers}
        reasons = {c.name: behaviour.reason for c in task.containers if c.image == task.image}
        self.stopper.exited(
            task, now, "EssentialContainerExited", "Essential container in task exited", exits, reasons
        )
        self.service.note_failure(task, now)  # after the task's own event: ECS counts what it saw

    def _fail_to_start(self, task: SimTask, now: float) -> None:
        """No container ran: the task stops from PENDING with no exit code (a pull or a secret failed)."""
        failure = task.behaviour.fails_to_start
        assert failure is not None
        container = next((c for c in task.containers if c.image == task.image), None)
        reason = (
            failure.reason.replace("{image}", task.image)
            .replace("{container}", container.name if container else "app")
            .replace("{region}", self.ctx.region)
            .replace("{account_id}", self.ctx.account_id)
        )
        # The container whose image cannot be pulled carries the reason too; a secret failure is the task's.
        pulled = container is not None and not reason.startswith(SECRETS_FAILURE)
        self.stopper.exited(
            task,
            now,
            "TaskFailedToStart",
            reason,
            None,
            {container.name: reason} if pulled and container else None,
        )
        self.service.note_failure(task, now)

    def step(self, task: SimTask, now: float, last_status: str, silent: bool = False) -> None:
        """One state change, of lastStatus or (`last_status` unchanged) of desiredStatus: version + 1."""
        task.last_status = last_status
        task.version += 1
        self._publish(task, now, silent)

    def _publish(self, task: SimTask, now: float, silent: bool) -> None:
        mirror(task)
        if not silent:
            detail: dict[str, Any] = events.task_state_change(task, now)
            self.ctx.emit(SOURCE_ECS, TASK_STATE_CHANGE, detail, [task.arn])
