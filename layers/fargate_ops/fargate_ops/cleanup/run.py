"""One cleanup run: collect the whole account, plan, and (when asked) apply, within the time given.

The report is the plan (every action with its reason, what is kept and why) and what was done. An
unfinished run (time up) returns ``continue_token``: passed back as ``{"continue": token}``, the next run
plans at the same moment, so its marks and grace periods agree with the first, and goes on from the
revisions the token carries rather than listing them again (continuation.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fargate_ops import clock
from fargate_ops.aws.cleanup_inventory import InventoryCollector
from fargate_ops.cleanup import continuation, response
from fargate_ops.cleanup.config import CleanupConfig
from fargate_ops.cleanup.executor import ExecutionReport, Executor
from fargate_ops.cleanup.pacing import TokenBucket
from fargate_ops.domain.cleanup_plan import (
    DELETE_TASK_DEFINITIONS_BATCH,
    DEREGISTER,
    CleanupPlan,
    plan_cleanup,
)
from fargate_ops.domain.cleanup_policy import IMAGE, TASK_DEFINITION
from fargate_ops.domain.inventory import Inventory
from fargate_ops.errors import FargateOpsError
from fargate_ops.observability import count, logger

OTHER_WRITES_PER_SECOND = 5.0  # tags, ELB, ECR and the table: far from their limits
TOKEN_MAX_AGE_SECONDS = 86_400  # an older token is ignored: the run plans at its own time


def _plan(
    collector: InventoryCollector, inventory: Inventory, config: CleanupConfig, now: float
) -> tuple[Inventory, CleanupPlan]:
    """Plan; when the images can only be judged with the images of the revisions that stay (those
    this plan does not delete: images are judged last), describe those and plan again."""
    first = plan_cleanup(inventory, config.policy, now)
    if not first.needs_revision_images:
        return inventory, first
    described = collector.describe_images(inventory, first.needs_revision_images)
    return described, plan_cleanup(described, config.policy, now)


def _images_beyond_reach(
    inventory: Inventory, config: CleanupConfig, now: float, seconds: float
) -> str | None:
    """Why this invocation need not read ECR (None when it must): images are applied last, after every
    revision's deregistration and deletion (one bucket, ``writes_per_second``), and when those alone
    take longer than the time left, no image action can start in this invocation. Reading an account's
    repositories and images (pages of 1,000 per repository) in each of the ~11 invocations of a large
    run is then wasted; the invocation that can reach them reads them."""
    if IMAGE not in config.policy.kinds or TASK_DEFINITION not in config.policy.kinds:
        return None
    if seconds == float("inf"):
        return None
    policy = replace(config.policy, kinds=frozenset({TASK_DEFINITION}))
    plan = plan_cleanup(inventory, policy, now)
    deregistrations = sum(1 for a in plan.actions if a.action == DEREGISTER)
    deletes = math.ceil(len(plan.deletions(TASK_DEFINITION)) / DELETE_TASK_DEFINITIONS_BATCH)
    needed = (deregistrations + deletes) / config.writes_per_second
    if plan.refused or needed <= seconds:
        return None
    return (
        f"images not judged in this invocation: its {deregistrations} deregistrations and {deletes} "
        f"DeleteTaskDefinitions calls come first and take {needed / 3600:.1f} h at "
        f"{config.writes_per_second:g} per second; the invocation that reaches them reads ECR"
    )


def planning_time(event: dict[str, Any]) -> float:
    """The token's planning moment (a number, or a carried state's ``at``), unless too old."""
    now = clock.now_epoch()
    token = event.get("continue")
    at = token.get("at") if isinstance(token, dict) else token
    if isinstance(at, int | float) and not isinstance(at, bool) and 0 <= now - at <= TOKEN_MAX_AGE_SECONDS:
        return float(at)
    return now


def run_cleanup(
    collector: InventoryCollector,
    config: CleanupConfig,
    *,
    apply: bool,
    now: float,
    remaining: Callable[[], float] = lambda: float("inf"),
    progress: Callable[[str], None] = lambda _line: None,
    resume: Any = None,
) -> dict[str, Any]:
    """``resume``: the continue token an earlier invocation returned (its revisions are used only when
    ``now`` is that token's moment, i.e. ``planning_time`` accepted it)."""
    revisions = continuation.carried(resume) if isinstance(resume, dict) and resume.get("at") == now else None
    policy = config.policy
    collected = collector.collect(revisions, protect_tag=policy.protect_tag, images=False)
    untrusted = None
    if revisions is not None and continuation.digest(resume) not in collector.table.continuations:
        # Not a token this tool issued (or its record is not readable yet): read everything again.
        untrusted = "the continue token's revisions were not used: it is not one this run issued"
        logger.warning("cleanup continue token not recognised: its revisions are read again")
        collected = collector.collect(None, protect_tag=policy.protect_tag, images=False)
    beyond = _images_beyond_reach(collected, config, now, remaining()) if apply else None
    if beyond is None:
        inventory, plan = _plan(collector, collector.with_ecr(collected), config, now)
    else:
        inventory = collected
        plan = plan_cleanup(collected, replace(policy, kinds=policy.kinds - {IMAGE}), now)
        plan = replace(plan, warnings=(*plan.warnings, beyond))
    if untrusted is not None:
        plan = replace(plan, warnings=(*plan.warnings, untrusted))
    progress(plan.lines()[0])
    report = ExecutionReport()
    done: dict[str, str] = {}
    if apply:
        executor = Executor(
            collector.client_factory,
            collector.table,
            inventory,
            revisions=TokenBucket(config.writes_per_second, burst=1),
            writes=TokenBucket(OTHER_WRITES_PER_SECOND, burst=10),
            remaining=remaining,
            progress=progress,
        )
        report = executor.apply(plan)
        done = executor.revisions_done
    count("CleanupActionsPlanned", len(plan.actions))
    count("CleanupActionsDone", sum(report.done.values()))
    logger.info("cleanup", extra={"planned": len(plan.actions), "done": report.done, "refused": plan.refused})
    return response.within_budget(
        {
            "dry_run": not apply,
            "plan": plan.as_dict(),
            "lines": plan.lines(),
            "applied": report.as_dict() if apply else None,
            "complete": report.complete,
            "continue_token": None if report.complete else _issue(collector, plan, inventory, done),
        }
    )


def _issue(
    collector: InventoryCollector, plan: CleanupPlan, inventory: Inventory, done: dict[str, str]
) -> dict[str, Any] | float:
    """The continue token, recorded as issued when it carries revisions (continuation.py)."""
    token = continuation.carry(plan.now, continuation.after_apply(inventory.revisions, done, plan.mark_value))
    if isinstance(token, dict):
        try:
            collector.table.put_continuation(continuation.digest(token), plan.now + TOKEN_MAX_AGE_SECONDS)
        except FargateOpsError as err:  # the next invocation will not trust it: it reads everything again
            logger.warning("cleanup continue token not recorded", extra={"error": str(err)})
    return token
