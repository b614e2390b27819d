from __future__ import annotations

from typing import Any

import boto3
import pytest

from fargate_ops import clients
from fargate_ops.aws.ecs import EcsAdapter
from fargate_ops.cleanup.task_definitions import cleanup_task_definitions, clusters_in_scope


@pytest.fixture
def revisions(world: Any) -> list[str]:
    """web:1 (used by both slots) and eight newer revisions web:2..web:9 that nothing uses."""
    client = boto3.client("ecs")
    return [world.task_definition] + [
        client.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": f"web:{n}", "memory": 8}]
        )["taskDefinition"]["taskDefinitionArn"]
        for n in range(2, 10)
    ]


def active() -> set[str]:
    return set(
        boto3.client("ecs").list_task_definitions(familyPrefix="web", status="ACTIVE")["taskDefinitionArns"]
    )


@pytest.fixture
def ecs() -> EcsAdapter:
    return EcsAdapter(clients.client("ecs"))


def test_a_dry_run_plans_but_deregisters_nothing(ecs: EcsAdapter, revisions: list[str]) -> None:
    result = cleanup_task_definitions(ecs, ["prod"], keep=5, apply=False, max_deregistrations=20)

    assert result["dry_run"] is True
    assert result["families"]["web"]["deregister"] == [revisions[3], revisions[2], revisions[1]]
    assert result["deregistered"] == []
    assert active() == set(revisions)


def test_the_revision_a_service_runs_is_kept_however_old(ecs: EcsAdapter, revisions: list[str]) -> None:
    result = cleanup_task_definitions(ecs, ["prod"], keep=5, apply=True, max_deregistrations=20)

    kept = {entry["arn"]: entry["reasons"] for entry in result["families"]["web"]["keep"]}
    assert kept[revisions[0]] == ["referenced by a service"]
    assert revisions[0] in active()


def test_applying_deregisters_exactly_the_stale_revisions(ecs: EcsAdapter, revisions: list[str]) -> None:
    result = cleanup_task_definitions(ecs, ["prod"], keep=5, apply=True, max_deregistrations=20)

    assert set(result["deregistered"]) == set(revisions[1:4])
    assert active() == {revisions[0], *revisions[4:]}


def test_a_run_deregisters_at_most_its_budget(ecs: EcsAdapter, revisions: list[str]) -> None:
    result = cleanup_task_definitions(ecs, ["prod"], keep=5, apply=True, max_deregistrations=2)

    assert len(result["deregistered"]) == 2
    assert result["left_for_next_run"] == 1


def test_clusters_are_those_named_or_those_matching_the_pattern(ecs: EcsAdapter, world: Any) -> None:
    boto3.client("ecs").create_cluster(clusterName="staging")

    assert clusters_in_scope(ecs, None, "*") == ["prod", "staging"]
    assert clusters_in_scope(ecs, None, "pro*") == ["prod"]
    assert clusters_in_scope(ecs, ["arn:aws:ecs:us-east-1:123456789012:cluster/qa"], "*") == ["qa"]
