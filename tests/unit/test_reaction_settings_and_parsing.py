"""The reactions' settings from the environment, and events that cannot be parsed."""

from __future__ import annotations

import pytest

from fargate_ops.domain.alert_policy import AlertPolicy
from fargate_ops.errors import SettingsError
from fargate_ops.models.events import UnparseableEventError, parse_event
from fargate_ops.settings import Settings

REQUIRED = {"TABLE_NAME": "ops", "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:ops"}


def test_every_knob_has_a_documented_default() -> None:
    settings = Settings.from_env(REQUIRED)

    assert settings.alert_policy == AlertPolicy(
        crash_loop_threshold=3,
        crash_loop_window_seconds=600,
        spot_threshold=5,
        spot_window_seconds=3600,
        notifications_per_hour=5,
    )
    assert settings.timeline_retention_days == 14


def test_the_knobs_are_read_from_the_functions_environment() -> None:
    settings = Settings.from_env(
        {
            **REQUIRED,
            "CRASH_LOOP_THRESHOLD": "5",
            "CRASH_LOOP_WINDOW_SECONDS": "300",
            "SPOT_INTERRUPTION_THRESHOLD": "10",
            "SPOT_INTERRUPTION_WINDOW_SECONDS": "1800",
            "NOTIFICATIONS_PER_HOUR": "2",
            "TIMELINE_RETENTION_DAYS": "30",
        }
    )

    assert (settings.alert_policy.crash_loop_threshold, settings.alert_policy.crash_loop_window_seconds) == (
        5,
        300,
    )
    assert (settings.alert_policy.spot_threshold, settings.alert_policy.spot_window_seconds) == (10, 1800)
    assert (settings.alert_policy.notifications_per_hour, settings.timeline_retention_days) == (2, 30)


def test_a_bad_knob_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="NOTIFICATIONS_PER_HOUR"):
        Settings.from_env({**REQUIRED, "NOTIFICATIONS_PER_HOUR": "many"})


def test_an_event_missing_a_required_field_is_unparseable_and_named_by_its_id() -> None:
    raw = {"id": "e-1", "detail-type": "ECS Task State Change", "source": "aws.ecs", "detail": {}}

    with pytest.raises(UnparseableEventError) as caught:
        parse_event(raw)

    assert caught.value.event_id == "e-1"
    assert "taskArn" in str(caught.value)


def test_something_that_is_not_an_event_object_is_unparseable() -> None:
    with pytest.raises(UnparseableEventError, match="expected an EventBridge event object"):
        parse_event(["not", "an", "event"])
