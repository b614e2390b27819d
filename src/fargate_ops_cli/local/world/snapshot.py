"""What the world looks like at one instant: for reports and invariant checks (plain, comparable data)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class DeploymentView:
    id: str
    status: str  # PRIMARY | ACTIVE
    rollout_state: str  # IN_PROGRESS | COMPLETED
    task_definition: str
    running: int
    failed_tasks: int


@dataclass(frozen=True)
class ServiceView:
    name: str
    arn: str
    active: bool
    desired: int
    running: int
    pending: int
    task_definition: str
    steady: bool
    deployments: list[DeploymentView]


@dataclass(frozen=True)
class TaskView:
    id: str
    arn: str
    service: str
    deployment_id: str
    task_definition: str
    image: str
    last_status: str
    desired_status: str
    version: int
    ip: str
    healthy: bool
    stop_code: str | None
    stopped_reason: str | None
    exit_code: int | None  # the container whose behaviour the task follows


@dataclass(frozen=True)
class TargetView:
    target_group: str  # name
    target_group_arn: str
    target_id: str
    port: int
    state: str
    reason: str | None
    task_arn: str


@dataclass(frozen=True)
class RouteView:
    """A listener's default action or a rule, as it forwards (or answers) now."""

    key: str  # "listener 80", "rule web"
    label: str  # "listener 80", "rule web (listener 80)"
    arn: str
    test: bool
    weights: dict[str, int]  # target group ARN -> weight; empty for a fixed response
    fixed_status: int | None = None


@dataclass(frozen=True)
class WorldSnapshot:
    time: float
    services: dict[str, ServiceView]
    tasks: list[TaskView]
    targets: list[TargetView]
    weights: dict[str, int]  # target group ARN -> weight on the production forward actions
    target_group_names: dict[str, str]  # ARN -> name
    alarms: dict[str, str] = field(default_factory=dict)  # name -> state
    routes: list[RouteView] = field(default_factory=list)  # every listener default action and rule

    def healthy_targets(self, tg_arn: str) -> int:
        return sum(1 for t in self.targets if t.target_group_arn == tg_arn and t.state == "healthy")

    def tasks_of(self, service: str, live_only: bool = False) -> list[TaskView]:
        return [
            t
            for t in self.tasks
            if t.service == service
            and (not live_only or (t.desired_status == "RUNNING" and t.last_status != "STOPPED"))
        ]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
