"""What the helpers of one service's scheduler use of it, as protocols: the task lifecycle, the stop
pipeline and the circuit breaker work for a ServiceController without importing it (services.py owns
them; they point back at it only through these)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from fargate_ops_cli.local.world.context import WorldContext
    from fargate_ops_cli.local.world.deployment import Deployment
    from fargate_ops_cli.local.world.moto_access import ServiceSettings
    from fargate_ops_cli.local.world.targets import TargetRegistry
    from fargate_ops_cli.local.world.tasks import SimTask


class ServiceParts(Protocol):
    ctx: WorldContext
    registry: TargetRegistry
    name: str
    arn: str
    cluster_name: str
    cluster_arn: str
    desired: int
    tasks: list[SimTask]
    settings: ServiceSettings
    last_completed: Deployment | None

    @property
    def primary(self) -> Deployment: ...

    def moto_service(self) -> Any: ...

    def event(self, message: str) -> None: ...

    def healthy(self, task: SimTask) -> bool: ...

    def note_failure(self, task: SimTask, now: float) -> None: ...

    def task_became_healthy(self, task: SimTask) -> None: ...

    def roll_back(self, target: Deployment, reason: str, now: float) -> Deployment: ...


class TaskSteps(Protocol):
    """What the stop pipeline uses of the task lifecycle."""

    ctx: WorldContext
    service: ServiceParts

    def step(self, task: SimTask, now: float, last_status: str, silent: bool = False) -> None: ...
