"""Adopting a single service: its idle twin is a clone of its configuration on the other target group."""

from __future__ import annotations

from typing import Any

import pytest

from fargate_ops.domain.adoption import clone_request, default_green_name
from fargate_ops.errors import PreflightError

LIVE_TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/1"
GREEN_TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green-tg/2"


def described(**overrides: Any) -> dict[str, Any]:
    service = {
        "serviceName": "web",
        "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7",
        "desiredCount": 3,
        "runningCount": 3,
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "loadBalancers": [{"targetGroupArn": LIVE_TG, "containerName": "app", "containerPort": 8080}],
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s-1"], "securityGroups": ["sg-1"]}},
        "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
        "healthCheckGracePeriodSeconds": 60,
        "enableExecuteCommand": True,
        "serviceRegistries": [
            {"registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1"}
        ],
        "tags": [{"key": "team", "value": "shop"}],
        "status": "ACTIVE",
    }
    service.update(overrides)
    return service


def clone(service: dict[str, Any]) -> dict[str, Any]:
    return clone_request(
        service,
        name="web-green",
        cluster="prod",
        live_target_group=LIVE_TG,
        green_target_group=GREEN_TG,
        application="web",
    )


def test_the_clone_is_idle_on_the_other_target_group_with_the_same_network_and_settings() -> None:
    request = clone(described())

    assert request["serviceName"] == "web-green" and request["desiredCount"] == 0
    assert request["loadBalancers"] == [
        {"targetGroupArn": GREEN_TG, "containerName": "app", "containerPort": 8080}
    ]
    assert request["networkConfiguration"] == described()["networkConfiguration"]
    assert request["launchType"] == "FARGATE" and request["platformVersion"] == "1.4.0"
    assert request["healthCheckGracePeriodSeconds"] == 60 and request["enableExecuteCommand"] is True
    assert {"key": "team", "value": "shop"} in request["tags"]
    assert {"key": "fargate-ops:role", "value": "idle"} in request["tags"]


def test_service_registries_and_read_only_fields_are_not_copied() -> None:
    request = clone(described())

    assert "serviceRegistries" not in request
    assert "runningCount" not in request and "status" not in request


def test_a_capacity_provider_strategy_replaces_the_launch_type() -> None:
    strategy = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]

    request = clone(described(capacityProviderStrategy=strategy))

    assert request["capacityProviderStrategy"] == strategy and "launchType" not in request


@pytest.mark.parametrize(
    "load_balancers",
    [
        [],
        [{"targetGroupArn": "arn:other", "containerName": "app", "containerPort": 80}],
        [{"targetGroupArn": LIVE_TG}] * 2,
    ],
)
def test_a_service_not_on_the_listeners_target_group_alone_cannot_be_adopted(
    load_balancers: list[Any],
) -> None:
    with pytest.raises(PreflightError):
        clone(described(loadBalancers=load_balancers))


def test_the_default_name_of_the_second_slot() -> None:
    assert default_green_name("web") == "web-green"
