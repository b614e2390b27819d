"""A task's way from desiredStatus STOPPED to lastStatus STOPPED, as Fargate takes it.

Three ways in, one way out:
- `exited`: the containers already stopped (a crash, a failed start). ECS notices, the target (if any)
  goes away at once, and the task reaches STOPPING `after_exit_seconds` later;
- `begin`: a graceful stop (scale-in, replacement, StopTask). A registered task drains first
  (DEACTIVATING for the deregistration delay), then STOPPING sends SIGTERM and the containers exit 0;
- `interrupt`: Fargate Spot takes the capacity back. The termination notice (stopCode TerminationNotice,
  lastStatus still RUNNING) comes two minutes before the task is taken away; then it stops with stopCode
  SpotInterruption.
Then STOPPING -> DEPROVISIONING -> STOPPED, each lasting what the world's `stop_timing` says (defaults
from the real STOPPED sample: about 2.5 minutes from the exit to STOPPED).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops_cli.local.world.tasks import SimTask

if TYPE_CHECKING:
    from fargate_ops_cli.local.world.parts import TaskSteps

SPOT_WARNING_SECONDS = 120.0  # Fargate Spot's termination notice comes two minutes ahead
SPOT_REASON = "Your Spot Task was interrupted."
SPOT_NOTICE, SPOT_STOP = "TerminationNotice", "SpotInterruption"


class TaskStopper:
    def __init__(self, lifecycle: TaskSteps) -> None:
        self.lifecycle = lifecycle
        self.service = lifecycle.service
        self.timing = lifecycle.ctx.spec.stop_timing

    # -- ways in ---------------------------------------------------------------------------------------
    def exited(
        self,
        task: SimTask,
        now: float,
        stop_code: str,
        reason: str,
        exit_codes: dict[str, int] | None,
        container_reasons: dict[str, str | None] | None = None,
    ) -> None:
        """The containers stopped by themselves: nothing to drain and nobody to signal."""
        self._mark(task, stop_code, reason)
        self._exit_containers(task, now, exit_codes, container_reasons)
        registry = self.service.registry
        for binding in task.bindings:
            if registry.get(binding.target_group_arn, task.ip) is not None:
                registry.deregister(binding.target_group_arn, task.ip, now)
        task.next_at = now + self.timing.after_exit_seconds
        self.lifecycle.step(task, now, task.last_status)

    def begin(self, task: SimTask, now: float, stop_code: str, reason: str) -> None:
        """A stop ECS or a person asked for; the task goes on at the next reconcile."""
        self._mark(task, stop_code, reason)
        if task.last_status in ("PROVISIONING", "PENDING"):
            self._exit_containers(task, now, None)  # they never started: no exit code
        task.drain_first = self._registered(task)
        task.next_at = now
        self.lifecycle.step(task, now, task.last_status)

    def interrupt(self, task: SimTask, now: float) -> None:
        """Fargate Spot's termination notice: the task still runs for two minutes, and is replaced now."""
        self._mark(task, SPOT_NOTICE, SPOT_REASON)
        task.reclaim_at = now + SPOT_WARNING_SECONDS
        task.drain_first = self._registered(task)
        task.next_at = now
        self.lifecycle.step(task, now, task.last_status)

    # -- one step per reconcile ------------------------------------------------------------------------
    def advance(self, task: SimTask, now: float) -> None:
        status = task.last_status
        if now < task.next_at:
            return
        if status in ("PROVISIONING", "PENDING", "RUNNING"):
            if task.drain_first:
                self._deactivate(task, now)
            elif task.reclaim_at is None or now >= task.reclaim_at:
                self._to_stopping(task, now)
        elif status == "DEACTIVATING":
            if task.reclaim_at is None or now >= task.reclaim_at:
                self._to_stopping(task, now)
        elif status == "STOPPING":
            task.next_at = now + self.timing.deprovisioning_seconds
            self.lifecycle.step(task, now, "DEPROVISIONING")
        elif status == "DEPROVISIONING":
            self._to_stopped(task, now)

    def _deactivate(self, task: SimTask, now: float) -> None:
        registry, name = self.service.registry, self.service.name
        draining = [b for b in task.bindings if registry.get(b.target_group_arn, task.ip) is not None]
        delays = [
            t.settings.deregistration_delay
            for b in draining
            if (t := registry.get(b.target_group_arn, task.ip))
        ]
        for binding in draining:
            registry.deregister(binding.target_group_arn, task.ip, now)
        # A graceful stop waits for the load balancer to drain the target (deregistration delay); an
        # interrupted Spot task is taken away when its two minutes are up, drained or not.
        task.drain_first = False
        task.next_at = now + max(delays, default=0.0)
        self.service.event(f"(service {name}) has begun draining connections on 1 tasks.")
        for binding in draining:
            self.service.event(
                f"(service {name}) deregistered 1 targets in (target-group {binding.target_group_arn})"
            )
        self.lifecycle.step(task, now, "DEACTIVATING")

    def _to_stopping(self, task: SimTask, now: float) -> None:
        if task.reclaim_at is not None:
            task.stop_code = SPOT_STOP
        if not task.exited:
            self._exit_containers(task, now, None)  # SIGTERM, handled: a clean exit
        task.times["stoppingAt"] = now
        task.next_at = now + self.timing.stopping_seconds
        self.lifecycle.step(task, now, "STOPPING")

    def _to_stopped(self, task: SimTask, now: float) -> None:
        task.times["stoppedAt"] = now
        ctx = self.lifecycle.ctx
        ec2 = ctx.backends.ec2
        eni = getattr(ec2, "enis", {}).get(task.eni_id)
        if eni is not None:  # ECS detaches the task's ENI, then deletes it (EC2 refuses an attached one)
            eni.status, eni.device_index = "available", None
            if ctx.enis_left < self.timing.leave_enis:
                ctx.enis_left += 1  # left behind, detached: it keeps its address
            else:
                ec2.delete_network_interface(task.eni_id)
                ctx.release_ip(task.ip)
        else:
            ctx.release_ip(task.ip)
        self.lifecycle.step(task, now, "STOPPED")

    # -- helpers ---------------------------------------------------------------------------------------
    @staticmethod
    def _mark(task: SimTask, stop_code: str, reason: str) -> None:
        task.desired_status, task.stop_code, task.stopped_reason = "STOPPED", stop_code, reason
        task.crash_at = task.fail_at = None

    def _registered(self, task: SimTask) -> bool:
        registry = self.service.registry
        return any(registry.get(b.target_group_arn, task.ip) is not None for b in task.bindings)

    @staticmethod
    def _exit_containers(
        task: SimTask,
        now: float,
        exit_codes: dict[str, int] | None,
        reasons: dict[str, str | None] | None = None,
    ) -> None:
        """exit_codes None: containers that ran exit 0 (SIGTERM handled); the others have no code."""
        ran = "startedAt" in task.times
        task.times["executionStoppedAt"] = now
        for container in task.containers:
            container.last_status = "STOPPED"
            container.exit_code = (exit_codes or {}).get(container.name, 0) if ran else None
            container.reason = (reasons or {}).get(container.name)
