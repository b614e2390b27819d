"""How long a plan can run and how long its lease holds between two steps (domain/deploy_duration.py)."""

from __future__ import annotations

from dataclasses import replace

from fargate_ops.domain import deploy_duration as duration

CANARY = duration.DeployWaits(
    readiness_timeout_seconds=600,
    readiness_waits=1,
    bakes=(300, 0),
    approval_timeout_seconds=86_400,
    approvals=0,
    analysed_steps=1,
    metrics_wait_seconds=300,
    validation_hook=False,
    rollback_window_seconds=300,
)
RETRIES = duration.STEP_RETRY_BUDGET_SECONDS


def test_the_lease_outlasts_the_longest_single_wait_and_the_next_steps_retries() -> None:
    bake_and_its_data_wait = 300 + 300 + 60

    assert duration.lease_seconds(CANARY) == bake_and_its_data_wait + RETRIES + duration.LEASE_MARGIN_SECONDS


def test_an_approval_gate_makes_the_approval_timeout_the_longest_gap() -> None:
    gated = replace(CANARY, approvals=1)

    assert duration.lease_seconds(gated) == 86_400 + RETRIES + duration.LEASE_MARGIN_SECONDS


def test_a_validation_hook_counts_every_attempt_at_its_timeout() -> None:
    hooked = replace(CANARY, validation_hook=True, readiness_timeout_seconds=60)

    assert duration.lease_seconds(hooked) == 960 * 4 + 2 + 4 + 8 + RETRIES + duration.LEASE_MARGIN_SECONDS


def test_the_longest_path_adds_every_wait_and_every_states_retry_budget() -> None:
    states = duration.FIXED_TASK_STATES + 2 * duration.TASK_STATES_PER_STEP

    assert duration.longest_path_seconds(CANARY) == 600 + 300 + (300 + 60) + 300 + RETRIES * states


def test_a_hundred_week_long_bakes_run_far_past_a_week() -> None:
    long_plan = replace(CANARY, bakes=(7 * 86_400,) * 100)

    assert duration.longest_path_seconds(long_plan) > 700 * 86_400 > duration.DEFAULT_MAX_DEPLOY_SECONDS


def test_durations_read_in_days_hours_and_minutes() -> None:
    assert duration.describe_seconds(700 * 86_400 + 3 * 3600 + 59) == "700d 3h"
    assert duration.describe_seconds(30) == "0m"
