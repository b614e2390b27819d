"""Moves a service's tasks through the Fargate lifecycle, one step per task per reconcile.

One step per reconcile keeps every lastStatus visible to DescribeTasks for at least one tick and gives
each step its own event `version`, as ECS does. Times in events are the reconcile times.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fargate_ops_cli.local.world import events
from fargate_ops_cli.local.world.context import SOURCE_ECS, TASK_STATE_CHANGE
from fargate_ops_cli.local.world.tasks import (
    LoadBalancerBinding,
    SimTask,
    build_containers,
    create_moto_task,
    mirror,
)

if TYPE_CHECKING:
    from fargate_ops_cli.local.world.services import ServiceController

PROVISIONING_SECONDS = 10.0  # at most: creating and attaching the task's ENI


class TaskLifecycle:
    def __init__(self, service: ServiceController) -> None:
        self.service = service
        self.ctx = service.ctx

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
        behaviour = ctx.behaviour(image)
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
        )
        cluster = ctx.backends.ecs.clusters[service.cluster_name]
        create_moto_task(
            ctx.backends.ecs, cluster, task_def, task, moto_service.network_configuration or network
        )
        service.tasks.append(task)
        return task

    def warm(self, task: SimTask, now: float) -> None:
        """For a warm start: the task has been RUNNING and healthy since before the run (no events)."""
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
                self.begin_stop(
                    task, now, "UserInitiated", moto_task.stopped_reason or "Task stopped by user"
                )
            elif status == "PROVISIONING" and now >= task.pending_at:
                self._to_pending(task, now)
            elif status == "PENDING" and now >= task.running_at:
                self._to_running(task, now)
            elif status == "RUNNING" and task.live and task.crash_at is not None and now >= task.crash_at:
                self._crash(task, now)
            elif status == "DEACTIVATING" and now >= task.next_at:
                self._exit_containers(task, now, None)
                self._step(task, now, "STOPPING")
            elif status == "STOPPING" and now >= task.next_at:
                self._step(task, now, "DEPROVISIONING")
            elif status == "DEPROVISIONING" and now >= task.next_at:
                self._to_stopped(task, now)

    def _to_pending(self, task: SimTask, now: float, silent: bool = False) -> None:
        task.times["connectivityAt"] = now
        task.times["pullStartedAt"] = now
        self._step(task, now, "PENDING", silent)

    def _to_running(self, task: SimTask, now: float, silent: bool = False) -> None:
        behaviour = self.ctx.behaviour(task.image)
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
        self._step(task, now, "RUNNING", silent)

    def _crash(self, task: SimTask, now: float) -> None:
        behaviour = self.ctx.behaviour(task.image)
        exits = {c.name: (behaviour.exit_code if c.image == task.image else 0) for c in task.containers}
        reasons = {c.name: behaviour.reason for c in task.containers if c.image == task.image}
        self.service.note_failure(task, now)
        self.begin_stop(
            task, now, "EssentialContainerExited", "Essential container in task exited", exits, reasons
        )

    def begin_stop(
        self,
        task: SimTask,
        now: float,
        stop_code: str,
        reason: str,
        exit_codes: dict[str, int] | None = None,
        container_reasons: dict[str, str | None] | None = None,
    ) -> None:
        """exit_codes given: the containers already exited (a crash), so the task does not wait to drain."""
        task.desired_status, task.stop_code, task.stopped_reason = "STOPPED", stop_code, reason
        task.times["stoppingAt"] = now
        task.crash_at = None
        if task.last_status in ("PROVISIONING", "PENDING"):
            for container in task.containers:
                container.last_status = "STOPPED"
            task.next_at = now
            self._step(task, now, "DEPROVISIONING")
            return
        registry = self.service.registry
        draining = [b for b in task.bindings if registry.get(b.target_group_arn, task.ip) is not None]
        for binding in draining:
            registry.deregister(binding.target_group_arn, task.ip, now)
        if exit_codes is None and draining:
            # A graceful stop waits for the load balancer to drain the target (deregistration delay).
            delays = [
                t.settings.deregistration_delay
                for b in draining
                if (t := registry.get(b.target_group_arn, task.ip))
            ]
            task.next_at = now + max(delays, default=0.0)
            self.service.event(f"(service {self.service.name}) has begun draining connections on 1 tasks.")
            for binding in draining:
                tg = binding.target_group_arn
                self.service.event(
                    f"(service {self.service.name}) deregistered 1 targets in (target-group {tg})"
                )
            self._step(task, now, "DEACTIVATING")
            return
        self._exit_containers(task, now, exit_codes, container_reasons)
        task.next_at = now
        self._step(task, now, "STOPPING")

    def _exit_containers(
        self,
        task: SimTask,
        now: float,
        exit_codes: dict[str, int] | None,
        reasons: dict[str, str | None] | None = None,
    ) -> None:
        task.times["executionStoppedAt"] = now
        for container in task.containers:
            container.last_status = "STOPPED"
            container.exit_code = (exit_codes or {}).get(container.name, 0)  # SIGTERM handled: a clean exit
            container.reason = (reasons or {}).get(container.name)

    def _to_stopped(self, task: SimTask, now: float) -> None:
        task.times["stoppedAt"] = now
        ec2 = self.ctx.backends.ec2
        if task.eni_id in getattr(ec2, "enis", {}):
            ec2.delete_network_interface(task.eni_id)  # Fargate deletes the task's ENI
        self.ctx.release_ip(task.ip)
        self._step(task, now, "STOPPED")

    def _step(self, task: SimTask, now: float, last_status: str, silent: bool = False) -> None:
        task.last_status = last_status
        task.version += 1
        self._publish(task, now, silent)

    def _publish(self, task: SimTask, now: float, silent: bool) -> None:
        mirror(task)
        if not silent:
            detail: dict[str, Any] = events.task_state_change(task, now)
            self.ctx.emit(SOURCE_ECS, TASK_STATE_CHANGE, detail, [task.arn])
