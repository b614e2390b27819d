"""Every real AWS sample event, through the ECS events handler (moto): what each one causes.

The deploy-wait reactions run first and find no deploy waiting here; these tests are about the
reactions outside deploys: the timeline, and the notifications people get.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from tests.adapters.reaction_helpers import Inbox, Loader, crashed_task, subscribe, timeline

Handler = Callable[[str], ModuleType]


@pytest.fixture
def inbox(topic_arn: str) -> Inbox:
    return subscribe(topic_arn)


@pytest.fixture
def handle(handler: Handler, env: Any) -> Callable[[dict[str, Any]], dict[str, str]]:
    module = handler("ecs_events")

    def run(raw: dict[str, Any]) -> dict[str, str]:
        result: dict[str, str] = module.lambda_handler(raw, None)
        return result

    return run


@pytest.fixture
def dynamodb_calls(api_calls: Callable[[str], Counter[str]]) -> Counter[str]:
    return api_calls("dynamodb")


# ECS Task State Change -----------------------------------------------------------------------------


def test_the_stopped_essential_container_sample_is_recorded_and_counted_as_one_abnormal_stop(
    load_event: Loader, handle: Any, table: str, inbox: Inbox
) -> None:
    result = handle(load_event("ecs-task-state-change-stopped-essential-container-exited.json"))

    [entry] = timeline(table, "test", "example-api-v1")
    assert result["reaction"] == "abnormal stop 1 of 3 in the window"
    assert entry.kind == "task_stopped"
    assert entry.detail["stop_code"] == "EssentialContainerExited"
    assert [(c["name"], c["exit_code"]) for c in entry.detail["containers"]] == [("envoy", 0), ("app", 2)]
    assert entry.detail["containers"][1]["image_digest"].startswith("sha256:b7ea69f8")
    assert entry.detail["revision"] == "example-api-v1:20"
    assert inbox.messages() == []


def test_the_running_fargate_sample_is_ignored_without_any_dynamodb_call(
    load_event: Loader, handle: Any, dynamodb_calls: Counter[str]
) -> None:
    result = handle(load_event("ecs-task-state-change-running-fargate.json"))

    assert result == {"outcome": "ignored: not stopped"}
    assert sum(dynamodb_calls.values()) == 0


def test_the_partial_spot_notice_sample_names_no_service_and_is_ignored_without_any_call(
    load_event: Loader, handle: Any, dynamodb_calls: Counter[str]
) -> None:
    result = handle(load_event("ecs-task-state-change-fargate-spot-termination-notice.PARTIAL.json"))

    assert "reaction" not in result  # AWS's sample omits `group`: no service to record it against
    assert sum(dynamodb_calls.values()) == 0


def test_a_spot_notice_of_a_service_task_is_recorded_and_counted_without_a_notification(
    load_event: Loader, handle: Any, table: str, inbox: Inbox
) -> None:
    raw = copy.deepcopy(load_event("ecs-task-state-change-fargate-spot-termination-notice.PARTIAL.json"))
    raw["detail"]["group"] = "service:web"

    result = handle(raw)

    [entry] = timeline(table, "default", "web")
    assert result["reaction"] == "Spot interruption 1 in the window (alert at 5)"
    assert (entry.kind, entry.detail["classification"]) == ("spot_interruption", "spot")
    assert inbox.messages() == []


# ECS Service Action --------------------------------------------------------------------------------


def test_the_steady_state_sample_with_nothing_open_costs_one_query_and_writes_nothing(
    load_event: Loader, handle: Any, table: str, dynamodb_calls: Counter[str]
) -> None:
    result = handle(load_event("ecs-service-action-service-steady-state.json"))

    assert "reaction" not in result
    assert dynamodb_calls == Counter({"Query": 1})  # shared by the deploy reaction and this one
    assert timeline(table, "default", "servicetest") == []


def test_the_capacity_provider_steady_state_sample_is_ignored_without_any_dynamodb_call(
    load_event: Loader, handle: Any, dynamodb_calls: Counter[str]
) -> None:
    result = handle(load_event("ecs-service-action-capacity-provider-steady-state.json"))

    assert "reaction" not in result
    assert sum(dynamodb_calls.values()) == 0


def test_the_start_impaired_sample_tells_people_ecs_cannot_start_tasks(
    load_event: Loader, handle: Any, inbox: Inbox
) -> None:
    handle(load_event("ecs-service-action-service-task-start-impaired.json"))

    [message] = inbox.messages()
    assert message["subject"] == "fargate-ops: servicetest in default: ECS cannot start tasks consistently"
    assert message["body"]["fargate_ops"]["event_name"] == "SERVICE_TASK_START_IMPAIRED"


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        ("ecs-service-action-service-task-placement-failure-fargate-spot.json", "RESOURCE:FARGATE"),
        ("ecs-service-action-service-task-placement-failure-ec2-cpu.json", "RESOURCE:CPU"),
    ],
)
def test_the_placement_failure_samples_tell_people_ecs_cannot_place_tasks_and_why(
    load_event: Loader, handle: Any, inbox: Inbox, table: str, sample: str, reason: str
) -> None:
    handle(load_event(sample))

    [message] = inbox.messages()
    assert message["subject"] == f"fargate-ops: servicetest in default: ECS cannot place tasks ({reason})"
    kinds = [e.kind for e in timeline(table, "default", "servicetest")]
    assert sorted(kinds) == ["notification", "service_action"]


# ECS Deployment State Change -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sample",
    [
        "ecs-deployment-state-change-service-deployment-in-progress.json",
        "ecs-deployment-state-change-service-deployment-completed.json",
    ],
)
def test_a_progressing_or_completed_deployment_is_recorded_with_one_write_and_not_told(
    load_event: Loader, handle: Any, table: str, inbox: Inbox, dynamodb_calls: Counter[str], sample: str
) -> None:
    handle(load_event(sample))

    [entry] = timeline(table, "default", "servicetest")
    assert entry.kind == "deployment" and entry.detail["deployment_id"] == "ecs-svc/123"
    assert dynamodb_calls == Counter({"PutItem": 1, "Query": 1})  # Query: the `timeline` helper's read
    assert inbox.messages() == []


def test_the_circuit_breaker_rollback_sample_tells_people_it_is_rolling_back(
    load_event: Loader, handle: Any, inbox: Inbox
) -> None:
    handle(load_event("ecs-deployment-state-change-service-deployment-in-progress-rollback.json"))

    [message] = inbox.messages()
    assert message["subject"] == (
        "fargate-ops: servicetest in default: circuit breaker rolling back (ecs-svc/123)"
    )


def test_the_deployment_failed_sample_tells_people_the_deployment_failed(
    load_event: Loader, handle: Any, inbox: Inbox
) -> None:
    handle(load_event("ecs-deployment-state-change-service-deployment-failed.json"))

    [message] = inbox.messages()
    assert message["subject"] == "fargate-ops: servicetest in default: deployment failed (ecs-svc/123)"
    assert "circuit breaker: task failed to start" in message["body"]["content"]["description"]


# others --------------------------------------------------------------------------------------------


def test_the_container_instance_sample_is_ignored_without_any_aws_call(
    load_event: Loader, handle: Any, dynamodb_calls: Counter[str]
) -> None:
    assert handle(load_event("ecs-container-instance-state-change.json")) == {"outcome": "ignored"}
    assert sum(dynamodb_calls.values()) == 0


def test_an_event_that_does_not_parse_is_dropped_without_failing_or_acting(
    load_event: Loader,
    handle: Any,
    dynamodb_calls: Counter[str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = crashed_task(load_event, 1)
    del raw["detail"]["taskArn"]

    result = handle(raw)

    assert result == {"outcome": "ignored: unparseable event"}
    assert sum(dynamodb_calls.values()) == 0
    assert [getattr(r, "event_id", None) for r in caplog.records] == ["crash-1-7"]
    assert '"EventUnparseable":[1.0]' in capsys.readouterr().out  # the metric (EMF)
