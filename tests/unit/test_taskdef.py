from __future__ import annotations

from typing import Any

import pytest

from fargate_ops.domain.taskdef import derive_registration
from fargate_ops.errors import DeployInputError


def described() -> dict[str, Any]:
    return {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:41",
        "family": "web",
        "revision": 41,
        "status": "ACTIVE",
        "registeredAt": "2025-01-01T00:00:00Z",
        "registeredBy": "arn:aws:iam::123456789012:role/ci",
        "compatibilities": ["EC2", "FARGATE"],
        "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": "arn:aws:iam::123456789012:role/web-exec",
        "containerDefinitions": [
            {"name": "app", "image": "web:1.4.1", "essential": True},
            {"name": "envoy", "image": "envoy:1.21", "essential": False},
        ],
    }


def test_the_named_container_gets_the_new_image_and_the_others_keep_theirs() -> None:
    registration = derive_registration(described(), {"app": "web:1.4.2"})

    images = {c["name"]: c["image"] for c in registration["containerDefinitions"]}
    assert images == {"app": "web:1.4.2", "envoy": "envoy:1.21"}


def test_fields_register_task_definition_does_not_accept_are_dropped() -> None:
    registration = derive_registration(described(), {"app": "web:1.4.2"})

    for read_only in ("taskDefinitionArn", "revision", "status", "registeredAt", "compatibilities"):
        assert read_only not in registration
    assert registration["executionRoleArn"] == "arn:aws:iam::123456789012:role/web-exec"


def test_the_live_definition_is_left_untouched() -> None:
    live = described()

    derive_registration(live, {"app": "web:1.4.2"})

    assert live["containerDefinitions"][0]["image"] == "web:1.4.1"


def test_tags_are_passed_in_the_ecs_shape() -> None:
    registration = derive_registration(
        described(), {"app": "x"}, {"team": "web", "fargate-ops:deploy-id": "d1"}
    )

    assert registration["tags"] == [
        {"key": "fargate-ops:deploy-id", "value": "d1"},
        {"key": "team", "value": "web"},
    ]


def test_an_unknown_container_is_an_input_error_naming_it() -> None:
    with pytest.raises(DeployInputError, match="worker") as caught:
        derive_registration(described(), {"worker": "w:1"})

    assert caught.value.field == "change.images.worker"
