"""How long a deploy can run, and how long its lease must hold between two steps (pure).

The lease is renewed by every step (deploy/guard.py), so it only has to outlast the longest gap between
two step invocations: one wait (readiness, a bake and its analysis' data wait, an approval, the
validation hook with its retries), plus the retry budget of the next step. The longest path of the
whole plan (every wait, every hook attempt, every retry budget, one after the other) is what a plan is
refused on: Step Functions ends a Standard execution after one year, and a deploy that can hold an
application for months is a plan nobody meant.
"""

from __future__ import annotations

from fargate_ops.frozen import frozen

# A deploy-step task's worst retry budget (statemachines/deploy.asl.json): six Lambda-service retries
# backing off 2, 4, 8, 16, 32 and 60 s, two more for anything else (5 s, 10 s), each attempt up to the
# function's 60 s timeout.
STEP_ATTEMPTS = 1 + 6 + 2
STEP_TIMEOUT_SECONDS = 60
STEP_BACKOFF_SECONDS = 2 + 4 + 8 + 16 + 32 + 60 + 5 + 10
STEP_RETRY_BUDGET_SECONDS = STEP_ATTEMPTS * STEP_TIMEOUT_SECONDS + STEP_BACKOFF_SECONDS
# The ValidationHook state: TimeoutSeconds 960, three retries on Lambda service errors (2, 4, 8 s).
HOOK_TIMEOUT_SECONDS = 960
HOOK_ATTEMPTS = 4
HOOK_BACKOFF_SECONDS = 2 + 4 + 8
# Task states every deploy passes through besides the per-step loop (Plan, AcquireLease, green's slot,
# task definition, scale-up and readiness, test traffic, Finalize, ReleaseLease, Notify, the window,
# scale-down), and per planned step (NextStep's AwaitApproval, ShiftTraffic, AwaitStepReady, Bake, Analyse).
FIXED_TASK_STATES = 12
TASK_STATES_PER_STEP = 5
# The Rollback state's longest retry budget (the compensation's in lint/retry_policy.py: 5 s doubling,
# capped at 120 s, 25 attempts). Rollback renews the lease when it runs, but not while its Lambda keeps
# failing: a lease that ran out then could be taken over a split listener, so the margin outlasts it.
ROLLBACK_RETRY_SECONDS = 3_000
# On top of the longest gap: a clock skew, and the Rollback that may follow with its retries.
LEASE_MARGIN_SECONDS = 900 + ROLLBACK_RETRY_SECONDS

DEFAULT_MAX_DEPLOY_SECONDS = 7 * 86_400


@frozen
class DeployWaits:
    """Every wait a planned deploy may do, in seconds (from the document Plan made)."""

    readiness_timeout_seconds: int
    readiness_waits: int
    bakes: tuple[int, ...]
    approval_timeout_seconds: int
    approvals: int  # gates, and the pauses an inconclusive analysis may ask for
    analysed_steps: int
    metrics_wait_seconds: int
    validation_hook: bool
    rollback_window_seconds: int

    @property
    def hook_seconds(self) -> int:
        return HOOK_TIMEOUT_SECONDS * HOOK_ATTEMPTS + HOOK_BACKOFF_SECONDS if self.validation_hook else 0

    @property
    def metrics_seconds(self) -> int:
        # an analysis' data wait ends at most one retry interval past its bound
        return self.metrics_wait_seconds + 60 if self.analysed_steps else 0


def longest_path_seconds(waits: DeployWaits) -> int:
    """Every wait and every retry budget of the plan, one after the other."""
    task_states = FIXED_TASK_STATES + TASK_STATES_PER_STEP * len(waits.bakes)
    return (
        waits.readiness_timeout_seconds * max(waits.readiness_waits, 1)
        + sum(waits.bakes)
        + waits.approval_timeout_seconds * waits.approvals
        + waits.metrics_seconds * waits.analysed_steps
        + waits.hook_seconds
        + waits.rollback_window_seconds
        + STEP_RETRY_BUDGET_SECONDS * task_states
    )


def lease_seconds(waits: DeployWaits) -> int:
    """How long the lease holds after each renewal: the longest gap between two steps, and a margin."""
    longest_wait = max(
        waits.readiness_timeout_seconds,
        max(waits.bakes, default=0) + waits.metrics_seconds,
        waits.approval_timeout_seconds if waits.approvals else 0,
        waits.hook_seconds,
    )
    return longest_wait + STEP_RETRY_BUDGET_SECONDS + LEASE_MARGIN_SECONDS


def describe_seconds(seconds: int) -> str:
    """``3d 4h 5m`` (the largest units that are not zero; ``0m`` for less than a minute)."""
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = [f"{value}{unit}" for value, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if value]
    return " ".join(parts) or "0m"
