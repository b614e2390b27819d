from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fargate_ops.models.events import (
    AlarmStateChange,
    ContainerInstanceStateChange,
    DeploymentStateChange,
    Event,
    ExecutionStatusChange,
    ServiceAction,
    TaskStateChange,
    parse_event,
)

EXPECTED = {
    "ECS Task State Change": TaskStateChange,
    "ECS Service Action": ServiceAction,
    "ECS Deployment State Change": DeploymentStateChange,
    "ECS Container Instance State Change": ContainerInstanceStateChange,
    "Step Functions Execution Status Change": ExecutionStatusChange,
}


def test_every_real_aws_sample_parses_into_its_model(aws_sample_file: Path) -> None:
    raw = json.loads(aws_sample_file.read_text())

    event = parse_event(raw)

    assert type(event) is EXPECTED[raw["detail-type"]]
    assert event.id == raw["id"]


def test_unknown_fields_are_ignored(load_event: Callable[[str], dict[str, Any]]) -> None:
    raw = load_event("ecs-task-state-change-stopped-essential-container-exited.json")
    raw["detail"]["someFieldAwsAddsNextYear"] = {"nested": True}
    raw["detail"]["containers"][0]["newContainerField"] = 1
    raw["brandNewEnvelopeField"] = "x"

    event = parse_event(raw)

    assert isinstance(event, TaskStateChange)
    assert event.detail.version == 7


def test_the_partial_spot_sample_without_time_or_region_parses(
    load_event: Callable[[str], dict[str, Any]],
) -> None:
    event = parse_event(load_event("ecs-task-state-change-fargate-spot-termination-notice.PARTIAL.json"))

    assert isinstance(event, TaskStateChange)
    assert event.time is None and event.epoch is None
    assert event.detail.stop_code == "TerminationNotice"


def test_a_service_action_keeps_what_the_reactions_read(load_event: Callable[[str], dict[str, Any]]) -> None:
    event = parse_event(load_event("ecs-service-action-service-task-placement-failure-fargate-spot.json"))

    assert isinstance(event, ServiceAction)
    assert (event.detail.event_type, event.detail.event_name, event.detail.reason) == (
        "ERROR",
        "SERVICE_TASK_PLACEMENT_FAILURE",
        "RESOURCE:FARGATE",
    )


def test_a_cloudwatch_alarm_state_change_parses() -> None:
    raw = {
        "version": "0",
        "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": "123456789012",
        "time": "2019-10-02T17:04:40Z",
        "region": "us-east-1",
        "resources": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx"],
        "detail": {
            "alarmName": "web-5xx",
            "state": {
                "value": "ALARM",
                "reason": "Threshold Crossed",
                "timestamp": "2019-10-02T17:04:40.985+0000",
            },
            "previousState": {"value": "OK", "reason": "ok", "timestamp": "2019-10-02T17:00:40.985+0000"},
            "configuration": {"metrics": []},
        },
    }

    event = parse_event(raw)

    assert isinstance(event, AlarmStateChange)
    assert (event.detail.alarm_name, event.detail.state.value) == ("web-5xx", "ALARM")


def test_an_unmodelled_detail_type_parses_as_a_plain_event() -> None:
    raw = {
        "version": "0",
        "id": "1",
        "detail-type": "Something Else",
        "source": "aws.other",
        "account": "1",
        "time": "2020-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"a": 1},
    }

    assert type(parse_event(raw)) is Event


def test_a_task_event_without_a_task_arn_is_rejected() -> None:
    raw = {
        "version": "0",
        "id": "1",
        "detail-type": "ECS Task State Change",
        "source": "aws.ecs",
        "account": "1",
        "resources": [],
        "detail": {"lastStatus": "STOPPED"},
    }

    with pytest.raises(ValueError, match="taskArn"):
        parse_event(raw)
