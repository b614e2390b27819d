"""One ECS deployment of a service, as the simulator tracks it (its deployments list in DescribeServices)."""

from __future__ import annotations

from dataclasses import dataclass

from fargate_ops_cli.local.world.moto_access import TaskDefinition


@dataclass
class Deployment:
    id: str
    task_definition: TaskDefinition
    created_at: float
    updated_at: float
    status: str = "PRIMARY"
    rollout_state: str = "IN_PROGRESS"
    failed_tasks: int = 0  # consecutive: a task of the deployment becoming healthy resets it
    reason: str | None = None  # rolloutStateReason, when it is not the plain "in progress"/"completed"
