"""A planned deploy's waits (from its document), its longest path, and the refusal of a plan too long."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.domain.deploy_duration import DeployWaits, describe_seconds, longest_path_seconds
from fargate_ops.errors import DeployInputError

if TYPE_CHECKING:
    from fargate_ops.models.deploy import DeployInput


def waits_of(doc: DeployInput) -> DeployWaits:
    plan = doc.traffic_plan()
    analysed = plan.baked_steps if doc.analysis is not None else 0
    paused = analysed if doc.analysis is not None and doc.analysis.inconclusive == "pause" else 0
    return DeployWaits(
        readiness_timeout_seconds=doc.readiness_timeout_seconds,
        readiness_waits=1 + (len(plan.steps) if doc.scale_with_traffic else 0),
        bakes=tuple(step.bake_seconds for step in plan.steps),
        approval_timeout_seconds=doc.approval_timeout_seconds,
        approvals=plan.gates + paused,
        analysed_steps=analysed,
        metrics_wait_seconds=doc.analysis.metrics_wait_seconds if doc.analysis else 0,
        validation_hook=doc.validation_hook is not None,
        rollback_window_seconds=doc.rollback_window_seconds,
    )


def check_longest_path(request: DeployInput, max_seconds: int) -> None:
    """DeployInputError when every wait of the plan, one after the other, exceeds ``max_seconds``."""
    longest = longest_path_seconds(waits_of(request))
    if longest > max_seconds:
        raise DeployInputError(
            "strategy",
            f"the plan can run for {describe_seconds(longest)} ({longest} s: every bake, wait, approval, "
            f"hook attempt and retry one after the other), over the maximum of "
            f"{describe_seconds(max_seconds)} ({max_seconds} s, the MaxDeployDurationSeconds parameter); "
            "plan fewer or shorter steps, or shorter timeouts",
        )
