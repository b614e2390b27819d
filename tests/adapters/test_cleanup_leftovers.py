"""The cleanup of what stopped tasks leave behind, over moto: ENIs ECS left available, quiet log groups.

moto creates every ENI as a person's (RequesterManaged false); the ECS ones here are made ECS's the way
the local world does it (world/tasks.py), on moto's model.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto.ec2.models import ec2_backends

from fargate_ops.domain.inventory import MARK_TAG

DAY = 86_400.0
ACCOUNT, REGION = "123456789012", "us-east-1"
ATTACHMENT = f"arn:aws:ecs:{REGION}:{ACCOUNT}:attachment/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"


def run(handler: Any, kinds: list[str], apply: bool = True) -> dict[str, Any]:
    result: dict[str, Any] = handler("cleanup").lambda_handler({"apply": apply, "kinds": kinds}, None)
    return result


def eni(subnet: str, description: str, *, ecs: bool) -> str:
    ec2 = boto3.client("ec2", REGION)
    eni_id = str(
        ec2.create_network_interface(SubnetId=subnet, Description=description)["NetworkInterface"][
            "NetworkInterfaceId"
        ]
    )
    ec2_backends[ACCOUNT][REGION].enis[eni_id].requester_managed = ecs
    return eni_id


def eni_tags(eni_id: str) -> dict[str, str] | None:
    found = boto3.client("ec2", REGION).describe_network_interfaces(
        Filters=[{"Name": "network-interface-id", "Values": [eni_id]}]
    )["NetworkInterfaces"]
    return {t["Key"]: t["Value"] for t in found[0].get("TagSet", [])} if found else None


def test_an_eni_ecs_left_available_is_marked_then_deleted_and_a_persons_is_never_touched(
    handler: Any, env: Any, world: Any, at: list[float]
) -> None:
    subnet = boto3.client("ec2", REGION).describe_subnets()["Subnets"][0]["SubnetId"]
    left = eni(subnet, ATTACHMENT, ecs=True)
    mimic = eni(subnet, ATTACHMENT, ecs=False)  # a person's, described like ECS's

    first = run(handler, ["network-interface"])
    assert [(a["resource"], a["action"]) for a in first["plan"]["actions"]] == [(left, "mark")]
    assert MARK_TAG in (eni_tags(left) or {})

    at[0] += 8 * DAY
    second = run(handler, ["network-interface"])

    assert second["applied"]["done"] == {"delete network-interface": 1}
    assert eni_tags(left) is None
    assert eni_tags(mimic) == {}


def test_a_quiet_log_group_no_revision_names_is_deleted_past_the_grace_and_a_named_one_is_kept(
    handler: Any, env: Any, world: Any, at: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEANUP_LOG_GROUP_PREFIX", "/ecs/")
    monkeypatch.setenv("CLEANUP_LOG_GROUP_IDLE_DAYS", "0")
    logs = boto3.client("logs", REGION)
    for name in ("/ecs/web", "/ecs/old", "/other/old"):
        logs.create_log_group(logGroupName=name)
    boto3.client("ecs", REGION).register_task_definition(
        family="web",
        containerDefinitions=[
            {
                "name": "app",
                "image": "web:1",
                "memory": 8,
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}},
            }
        ],
    )

    at[0] += 60  # moto stamps creation with the real time, after the test's clock started

    first = run(handler, ["log-group"])
    kept = {k["resource"]: k["reasons"] for k in first["plan"]["kept"]}
    assert [(a["resource"], a["action"]) for a in first["plan"]["actions"]] == [("/ecs/old", "mark")]
    assert kept["/ecs/web"] == ["the awslogs-group of task definition web:2"]

    at[0] += 8 * DAY
    run(handler, ["log-group"])

    names = {g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]}
    assert names == {"/ecs/web", "/other/old"}
