from __future__ import annotations

import pytest

from fargate_ops.domain.services import (
    Deployment,
    ServiceState,
    cluster_name,
    is_steady,
    parse_service_arn,
    service_from_group,
    task_definition_family,
    task_definition_revision,
)

NEW = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:42"
OLD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:41"


def service(
    *,
    desired: int = 2,
    running: int = 2,
    pending: int = 0,
    td: str = NEW,
    deployments: tuple[Deployment, ...] | None = None,
) -> ServiceState:
    return ServiceState(
        name="web-green",
        arn="arn:aws:ecs:us-east-1:123456789012:service/prod/web-green",
        cluster="arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        status="ACTIVE",
        desired_count=desired,
        running_count=running,
        pending_count=pending,
        task_definition=td,
        deployments=deployments
        if deployments is not None
        else (Deployment("PRIMARY", td, desired, running),),
    )


def test_green_is_steady_when_it_runs_the_new_revision_at_full_count_alone() -> None:
    assert is_steady(service(), NEW)


@pytest.mark.parametrize(
    "state",
    [
        service(running=1),
        service(pending=1),
        service(td=OLD),
        service(desired=0, running=0),
        service(deployments=(Deployment("PRIMARY", NEW, 2, 2), Deployment("ACTIVE", OLD, 2, 1))),
        service(deployments=(Deployment("PRIMARY", OLD, 2, 2),)),
    ],
    ids=["short", "pending", "old-revision", "scaled-to-zero", "two-deployments", "stale-deployment"],
)
def test_green_is_not_steady_while_anything_is_still_moving(state: ServiceState) -> None:
    assert not is_steady(state, NEW)


def test_a_service_references_its_revision_and_every_deployments_revision() -> None:
    state = service(deployments=(Deployment("PRIMARY", NEW), Deployment("ACTIVE", OLD)))

    assert state.referenced_task_definitions == {NEW, OLD}


def test_service_arns_in_both_formats_give_the_service_name() -> None:
    assert parse_service_arn("arn:aws:ecs:us-west-2:111122223333:service/default/servicetest") == (
        "default",
        "servicetest",
    )
    assert parse_service_arn("arn:aws:ecs:us-west-2:111122223333:service/servicetest") == (
        None,
        "servicetest",
    )


def test_names_are_taken_from_arns_and_groups() -> None:
    assert cluster_name("arn:aws:ecs:eu-central-1:111111111111:cluster/test") == "test"
    assert cluster_name("test") == "test"
    assert service_from_group("service:example-api-v1") == "example-api-v1"
    assert service_from_group("family:sample-fargate") is None
    assert task_definition_family(NEW) == "web"
    assert task_definition_revision(NEW) == 42
