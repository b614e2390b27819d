"""The cleanup's policy from its function's environment (the template's parameters)."""

from __future__ import annotations

from fargate_ops.cleanup.config import cleanup_config
from fargate_ops.domain.cleanup_policy import DAY


def test_the_idle_slot_and_image_ages_are_read_in_days_from_the_environment() -> None:
    env = {"CLEANUP_IDLE_SLOT_DAYS": "0.5", "CLEANUP_IMAGE_MIN_IDLE_DAYS": "2"}

    policy = cleanup_config(env, {}).policy

    assert policy.idle_slot_seconds == DAY // 2
    assert policy.image_min_idle_seconds == 2 * DAY


def test_without_them_a_slot_waits_a_week_and_an_image_a_month() -> None:
    policy = cleanup_config({}, {}).policy

    assert (policy.idle_slot_seconds, policy.image_min_idle_seconds) == (7 * DAY, 30 * DAY)
