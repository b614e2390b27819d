from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from fargate_ops import clients
from fargate_ops.aws.ecs import EcsAdapter
from fargate_ops.domain.taskdef import derive_registration
from fargate_ops.errors import (
    AwsCallError,
    ServiceNotFoundError,
    TaskDefinitionNotFoundError,
    ThrottlingError,
    TransientError,
)

CountCalls = Callable[[str], Counter[str]]


@pytest.fixture
def ecs() -> EcsAdapter:
    return EcsAdapter(clients.client("ecs"))


def test_services_are_described_in_the_order_asked(ecs: EcsAdapter, world: Any) -> None:
    green, blue = ecs.describe_services("prod", ["web-green", "web-blue"])

    assert (green.name, blue.name) == ("web-green", "web-blue")
    assert blue.desired_count == 2 and blue.target_groups == (world.blue_tg,)


def test_a_missing_service_is_a_service_not_found_error(ecs: EcsAdapter, world: Any) -> None:
    with pytest.raises(ServiceNotFoundError, match="web-purple"):
        ecs.describe_services("prod", ["web-blue", "web-purple"])


def test_a_missing_cluster_is_a_service_not_found_error(ecs: EcsAdapter, world: Any) -> None:
    with pytest.raises(ServiceNotFoundError):
        ecs.describe_service("staging", "web-blue")


def test_a_task_definition_is_derived_with_the_new_image_and_registered(ecs: EcsAdapter, world: Any) -> None:
    current, tags = ecs.describe_task_definition(world.task_definition)

    arn = ecs.register_task_definition(derive_registration(current, {"app": "web:1.4.2"}, tags))

    registered = boto3.client("ecs").describe_task_definition(taskDefinition=arn, include=["TAGS"])
    images = {c["name"]: c["image"] for c in registered["taskDefinition"]["containerDefinitions"]}
    assert arn.endswith("task-definition/web:2")
    assert images == {"app": "web:1.4.2", "envoy": "envoy:1.21"}
    assert registered["tags"] == [{"key": "team", "value": "web"}]


def test_a_missing_task_definition_is_a_task_definition_not_found_error(ecs: EcsAdapter, world: Any) -> None:
    with pytest.raises(TaskDefinitionNotFoundError):
        ecs.describe_task_definition("web:99")


def test_scaling_to_the_current_count_calls_nothing(
    ecs: EcsAdapter, world: Any, api_calls: CountCalls
) -> None:
    calls = api_calls("ecs")

    assert ecs.scale("prod", "web-blue", 2) is False
    assert calls["UpdateService"] == 0


def test_scaling_sends_only_what_changes(ecs: EcsAdapter, world: Any) -> None:
    stubber = Stubber(ecs._ecs)
    stubber.add_response(
        "describe_services", _described(desired=2), {"cluster": "prod", "services": ["web-blue"]}
    )
    stubber.add_response("update_service", {}, {"cluster": "prod", "service": "web-blue", "desiredCount": 0})

    with stubber:
        assert ecs.scale("prod", "web-blue", 0, task_definition=world.task_definition) is True

    stubber.assert_no_pending_responses()


def test_revisions_are_listed_for_exactly_the_family(ecs: EcsAdapter, world: Any) -> None:
    client = boto3.client("ecs")
    for family in ("web", "web-admin"):
        client.register_task_definition(
            family=family, containerDefinitions=[{"name": "a", "image": "a", "memory": 8}]
        )

    revisions = ecs.task_definition_revisions("web")

    assert [arn.rsplit("/", 1)[-1] for arn in revisions] == ["web:1", "web:2"]


def test_deregistering_a_missing_revision_is_not_an_error(ecs: EcsAdapter, world: Any) -> None:
    ecs.deregister_task_definition(world.task_definition)

    ecs.deregister_task_definition("arn:aws:ecs:us-east-1:123456789012:task-definition/nope:1")


def test_throttling_beyond_botocore_retries_becomes_a_throttling_error(ecs: EcsAdapter) -> None:
    stubber = Stubber(ecs._ecs)
    stubber.add_client_error(
        "update_service", service_error_code="ThrottlingException", service_message="Rate exceeded"
    )

    with stubber, pytest.raises(ThrottlingError, match="ecs:UpdateService"):
        ecs.update_service("prod", "web-blue", desired_count=1)


def test_a_server_error_beyond_botocore_retries_becomes_a_transient_error(ecs: EcsAdapter) -> None:
    stubber = Stubber(ecs._ecs)
    stubber.add_client_error(
        "update_service", service_error_code="ServerException", service_message="oops", http_status_code=500
    )

    with stubber, pytest.raises(TransientError, match="ServerException"):
        ecs.update_service("prod", "web-blue", desired_count=1)


def test_any_other_client_error_becomes_an_aws_call_error_with_its_code(ecs: EcsAdapter) -> None:
    stubber = Stubber(ecs._ecs)
    stubber.add_client_error(
        "update_service", service_error_code="InvalidParameterException", service_message="no"
    )

    with stubber, pytest.raises(AwsCallError) as caught:
        ecs.update_service("prod", "web-blue", desired_count=1)

    assert caught.value.code == "InvalidParameterException"


def _described(desired: int) -> dict[str, Any]:
    return {
        "services": [
            {
                "serviceName": "web-blue",
                "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/prod/web-blue",
                "status": "ACTIVE",
                "desiredCount": desired,
                "runningCount": desired,
                "pendingCount": 0,
                "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
            }
        ],
        "failures": [],
    }
