"""The Fargate world simulator: what ECS, ALB and CloudWatch would do that moto does not.

    simulator = FargateSimulator(clock, bus, spec, provisioned)
    simulator.start()                      # reconcile every 5 virtual s, traffic and alarms every minute
    runtime.target_health = simulator.moto_health_hook   # DescribeTargetHealth answers from here
    simulator.on_routes_modified()         # after moto's ModifyListener / ModifyRule (moto_hooks)

It reads what the application changed in moto (desired counts, task definitions, forceNewDeployment,
StopTask, listener weights) and writes back what AWS would show (tasks, counts, deployments, target
health, metrics, alarm states), emitting the real-shaped events through the sink on the way.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from fargate_ops_cli.local.world import invariants
from fargate_ops_cli.local.world.alarms import AlarmEvaluator
from fargate_ops_cli.local.world.context import WorldContext
from fargate_ops_cli.local.world.moto_access import FakeHealthStatus, resolve_task_definition
from fargate_ops_cli.local.world.ports import Clock, EventSink
from fargate_ops_cli.local.world.provision import ProvisionedWorld
from fargate_ops_cli.local.world.routes import RouteWatch
from fargate_ops_cli.local.world.services import ServiceController
from fargate_ops_cli.local.world.snapshot import (
    DeploymentView,
    RouteView,
    ServiceView,
    TargetView,
    TaskView,
    WorldSnapshot,
)
from fargate_ops_cli.local.world.spec import ImageBehaviour, WorldSpec
from fargate_ops_cli.local.world.targets import Health, TargetRegistry
from fargate_ops_cli.local.world.tasks import SimTask
from fargate_ops_cli.local.world.traffic import TrafficModel

MINUTE = 60.0


class FargateSimulator:
    def __init__(self, clock: Clock, sink: EventSink, spec: WorldSpec, provisioned: ProvisionedWorld) -> None:
        self.ctx = WorldContext(clock, _DeferringSink(sink, self), spec, provisioned)
        self.clock = clock
        self.spec = spec
        self.world = provisioned
        self.registry = TargetRegistry(self.ctx.backends.elbv2)
        self.services: dict[str, ServiceController] = {}  # by service ARN, in discovery order
        self.traffic = TrafficModel(self.ctx, self.registry, self._image_of)
        self.alarms = AlarmEvaluator(self.ctx, self.traffic.ledger)
        self.route_watch = RouteWatch()
        self._driver: threading.Thread | None = None
        self._deferred: list[tuple[str, str, dict[str, Any], list[str]]] = []
        self._stopped = False

    # -- running -----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Adopts the world's services (warm: already running and healthy) and schedules the ticks."""
        now = self.clock.now()
        with self.ctx.lock:
            self._driver = threading.current_thread()
            self._discover(now, warm=self.spec.start == "warm")
            self.alarms.initialise(now)
            self.traffic.refresh(now)
            self.route_watch.observe(now, self.traffic.actions())
        self.clock.call_at(now, self._reconcile_tick, "world: reconcile")
        self.clock.call_at(
            math.floor(now / MINUTE) * MINUTE + MINUTE, self._minute_tick, "world: ALB metrics, alarms"
        )

    def stop(self) -> None:
        self._stopped = True

    def _reconcile_tick(self) -> None:
        if self._stopped:
            return
        self.reconcile()
        self.clock.call_later(self.spec.reconcile_seconds, self._reconcile_tick, "world: reconcile")

    def _minute_tick(self) -> None:
        if self._stopped:
            return
        with self.ctx.lock:
            now = self.clock.now()
            readable_at = self.traffic.close_minute(now)
            self.traffic.publisher.flush(now)
            self.alarms.evaluate(now)  # on what CloudWatch can read now: the newest minutes are not in yet
        if readable_at > now:
            self.clock.call_at(readable_at, self._ingest_tick, "world: CloudWatch ingests ALB metrics")
        self.clock.call_later(MINUTE, self._minute_tick, "world: ALB metrics, alarms")

    def _ingest_tick(self) -> None:
        if self._stopped:
            return
        with self.ctx.lock:
            self.traffic.publisher.flush(self.clock.now())

    def reconcile(self) -> None:
        with self.ctx.lock:
            self._driver = threading.current_thread()
            self._flush_deferred()
            now = self.clock.now()
            self.traffic.advance(now)  # the traffic as it flowed since the last look
            self._discover(now, warm=False)
            for target in self.registry.advance(now):
                for service in self.services.values():
                    service.on_target_changed(target, now)
            for service in list(self.services.values()):
                service.reconcile(now)
            for arn in [arn for arn, s in self.services.items() if s.finished]:
                del self.services[arn]
            self.traffic.refresh(now)  # targets and health as the reconcile left them
            self.route_watch.observe(now, self.traffic.actions())

    def _discover(self, now: float, warm: bool) -> None:
        """Every ACTIVE service of the world's cluster, including those the application creates later."""
        backend = self.ctx.backends.ecs
        for service in list(backend.services.values()):
            if service.cluster_name != self.world.cluster_name or service.status != "ACTIVE":
                continue
            if service.arn in self.services:
                continue
            task_def = resolve_task_definition(backend, service.task_definition)
            if task_def is None:
                continue
            controller = ServiceController(self.ctx, self.registry, service, task_def)
            self.services[service.arn] = controller
            if warm:
                for task in controller.lifecycle.launch(controller.desired, now, silent=True):
                    controller.lifecycle.warm(task, now)
                controller.mark_completed()
                controller.steady, controller.steady_at = True, now
                controller.write_moto(now)
            else:
                deployment_id = controller.primary.id
                self.ctx.emit_deployment(
                    controller.arn,
                    "SERVICE_DEPLOYMENT_IN_PROGRESS",
                    deployment_id,
                    f"ECS deployment {deployment_id} in progress.",
                )

    # -- hooks for the runtime and scenario actions ------------------------------------------------------
    def target_health(self, tg_arn: str, target_id: str, port: int | None = None) -> Health:
        """(state, reason code, description) as DescribeTargetHealth reports them."""
        with self.ctx.lock:
            return self.registry.health(tg_arn, target_id, port)

    def moto_health_hook(self, target_group: Any, target: dict[str, Any]) -> Any:
        """Drop-in for moto's FakeTargetGroup.health_for (the runtime's `target_health` hook)."""
        port = target.get("Port", target_group.port)
        state, reason, description = self.target_health(target_group.arn, target["Id"], port)
        return FakeHealthStatus(
            target["Id"], port, target_group.health_check_port, state, reason, description
        )

    def on_service_updated(self, cluster: str, service: str) -> None:
        """Call right after moto's UpdateService: moto sets runningCount = desiredCount at once and leaves
        the deployments alone; this puts ECS's view back before the application can read moto's."""
        with self.ctx.lock:
            name = service.split("/")[-1]
            for controller in self.services.values():
                if controller.name == name and cluster.split("/")[-1] == controller.cluster_name:
                    controller.observe(self.clock.now())
                    controller.write_moto(self.clock.now())

    def on_routes_modified(self) -> None:
        """Call right after moto's ModifyListener / ModifyRule: records the change when it happens; the
        requests before this instant went by the old weights, those after it by the new ones."""
        with self.ctx.lock:
            self.traffic.observe(self.clock.now())
            self.route_watch.observe(self.clock.now(), self.traffic.actions())

    def set_image_behaviour(self, image: str, behaviour: ImageBehaviour | dict[str, Any] | str) -> None:
        """From now on tasks of `image` behave so; running ones pick up crashes and health at once (with
        `tasks: N`, the oldest live tasks first). A task past PROVISIONING has its image already."""
        parsed = (
            behaviour if isinstance(behaviour, ImageBehaviour) else ImageBehaviour.model_validate(behaviour)
        )
        with self.ctx.lock:
            now = self.clock.now()
            self.traffic.advance(now)  # requests so far were answered as the image behaved until now
            self.ctx.set_behaviour(image, parsed)
            live = sorted(
                (t for t in self._all_tasks() if t.image == image and t.live),
                key=lambda t: t.created_at,
            )
            for task in live:
                mine = self.ctx.behaviour_for_task(image)
                if task.last_status != "PROVISIONING":
                    mine = mine.model_copy(update={"fails_to_start": None})
                task.behaviour = mine
                if mine.fails_to_start is None:
                    task.fail_at = None
                if task.last_status != "RUNNING":
                    continue
                task.crash_at = None if mine.crash_after_seconds is None else now + mine.crash_after_seconds
                for binding in task.bindings:
                    target = self.registry.get(binding.target_group_arn, task.ip)
                    if target is not None:
                        target.aim(not mine.never_healthy, now)
            self.traffic.refresh(now)

    def interrupt_spot(self, service: str, count: int) -> int:
        """Fargate Spot takes back `count` RUNNING tasks of `service` (the oldest first); returns how many."""
        with self.ctx.lock:
            now = self.clock.now()
            controller = next((s for s in self.services.values() if s.name == service), None)
            if controller is None:
                return 0
            running = sorted(
                (
                    t
                    for t in controller.tasks
                    if t.live and t.last_status == "RUNNING" and t.capacity_provider == "FARGATE_SPOT"
                ),
                key=lambda t: t.created_at,
            )
            for task in running[:count]:
                controller.lifecycle.stopper.interrupt(task, now)
            return len(running[:count])

    # -- looking at the world ------------------------------------------------------------------------------
    def snapshot(self) -> WorldSnapshot:
        with self.ctx.lock:
            tg_names = {tg.arn: tg.name for tg in self.ctx.backends.elbv2.target_groups.values()}
            services = {s.name: self._service_view(s) for s in self.services.values()}
            tasks = [self._task_view(s, t) for s in self.services.values() for t in s.tasks]
            targets = [
                TargetView(
                    tg_names.get(t.target_group_arn, t.target_group_arn),
                    t.target_group_arn,
                    t.target_id,
                    t.port,
                    t.state,
                    t.health[1],
                    t.task_arn,
                )
                for t in self.registry.all()
            ]
            actions = self.traffic.actions()
            routes = [
                RouteView(r.key, r.label, r.arn, r.test, dict(actions[k].weights), actions[k].fixed_status)
                for k, r in self.world.routes.items()
            ]
            return WorldSnapshot(
                time=self.clock.now(),
                services=services,
                tasks=tasks,
                targets=targets,
                weights=self.traffic.weights(),
                target_group_names=tg_names,
                alarms=self.alarms.states(),
                routes=routes,
            )

    def check_invariants(self) -> list[str]:
        return invariants.check(self.snapshot())

    def _service_view(self, s: ServiceController) -> ServiceView:
        deployments = [
            DeploymentView(
                d.id,
                d.status,
                d.rollout_state,
                d.task_definition.arn,
                sum(1 for t in s.tasks if t.deployment_id == d.id and t.last_status == "RUNNING"),
                d.failed_tasks,
            )
            for d in s.deployments
        ]
        return ServiceView(
            name=s.name,
            arn=s.arn,
            active=s.active,
            desired=s.desired,
            running=sum(1 for t in s.tasks if t.last_status == "RUNNING"),
            pending=sum(1 for t in s.tasks if t.last_status in ("PROVISIONING", "PENDING")),
            task_definition=s.primary.task_definition.arn,
            steady=s.steady,
            deployments=deployments,
        )

    def _task_view(self, s: ServiceController, t: SimTask) -> TaskView:
        followed = next((c for c in t.containers if c.image == t.image), None)
        return TaskView(
            id=t.id,
            arn=t.arn,
            service=s.name,
            deployment_id=t.deployment_id,
            task_definition=t.task_definition_arn,
            image=t.image,
            last_status=t.last_status,
            desired_status=t.desired_status,
            version=t.version,
            ip=t.ip,
            healthy=s.healthy(t),
            stop_code=t.stop_code,
            stopped_reason=t.stopped_reason,
            exit_code=followed.exit_code if followed else None,
        )

    def _all_tasks(self) -> list[SimTask]:
        return [t for s in self.services.values() for t in s.tasks]

    def _image_of(self, task_arn: str) -> str | None:
        return next((t.image for t in self._all_tasks() if t.arn == task_arn), None)

    # -- events from other threads -------------------------------------------------------------------------
    def _on_driver(self) -> bool:
        return self._driver is None or threading.current_thread() is self._driver

    def _flush_deferred(self) -> None:
        pending, self._deferred = self._deferred, []
        for source, detail_type, detail, resources in pending:
            self.ctx.sink.emit(source, detail_type, detail, resources)


class _DeferringSink:
    """Emits on the driver thread only: an event caused by a hook on a handler thread (UpdateService)
    waits for the next reconcile, so delivery order never depends on thread timing."""

    def __init__(self, sink: EventSink, simulator: FargateSimulator) -> None:
        self._sink = sink
        self._simulator = simulator

    def emit(self, source: str, detail_type: str, detail: dict[str, Any], resources: list[str]) -> Any:
        if self._simulator._on_driver():
            return self._sink.emit(source, detail_type, detail, resources)
        self._simulator._deferred.append((source, detail_type, detail, resources))
        return None
