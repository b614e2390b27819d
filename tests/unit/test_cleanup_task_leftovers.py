"""What stopped tasks leave behind (domain/orphans_tasks.py): ENIs ECS did not delete, log groups nothing
writes to any more. What is a candidate at all, what is an orphan, and what is kept and why."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from fargate_ops.cleanup.config import cleanup_config
from fargate_ops.domain.cleanup_plan import DELETE, DEREGISTER, MARK, UNMARK, plan_cleanup
from fargate_ops.domain.cleanup_policy import (
    DEFAULT_KINDS,
    LOG_GROUP,
    NETWORK_INTERFACE,
    TASK_DEFINITION,
    CleanupPolicy,
)
from fargate_ops.domain.inventory import LogGroup, NetworkInterface, Task
from fargate_ops.domain.orphans import Findings
from fargate_ops.domain.orphans_tasks import log_group_findings, network_interface_findings
from fargate_ops.errors import CleanupPolicyError
from tests.unit.cleanup_world import DAY, NOW, actions_on, inventory, marked, revision, td_arn

LONG_AGO = NOW - 60 * DAY
ECS_ENI = "arn:aws:ecs:us-east-1:123456789012:attachment/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"
POLICY = CleanupPolicy(
    kinds=frozenset({TASK_DEFINITION, NETWORK_INTERFACE, LOG_GROUP}),
    keep_revisions=1,
    log_group_prefixes=("/ecs/",),
)


def verdicts(found: Findings) -> dict[str, bool]:
    return {f.resource: f.orphan for f in found.findings}


def ecs_eni(eni_id: str, status: str = "available", **fields: Any) -> NetworkInterface:
    fields.setdefault("description", ECS_ENI)
    return NetworkInterface(eni_id, status, requester_managed=True, **fields)


# --- network interfaces ---------------------------------------------------------------------------------


def test_an_ecs_task_eni_left_available_is_an_orphan_and_no_other_eni_is_a_candidate() -> None:
    state = inventory(
        network_interfaces=(
            ecs_eni("eni-left"),
            ecs_eni("eni-used", "in-use"),
            ecs_eni("eni-listed"),
            ecs_eni("eni-trunk", interface_type="trunk"),
            NetworkInterface("eni-lambda", "available", "lambda", "AWS Lambda VPC ENI-web", None, {}, True),
            # a person's ENI with ECS's description: not requester-managed, so not ECS's
            NetworkInterface("eni-mimic", "available", description=ECS_ENI),
            ecs_eni("eni-other-account", description=ECS_ENI.replace("123456789012", "210987654321")),
            ecs_eni("eni-other-region", description=ECS_ENI.replace("us-east-1", "eu-west-1")),
        ),
        tasks=(Task("arn:aws:ecs:us-east-1:1:task/c/t", "c", td_arn("web", 1), "RUNNING", ("eni-listed",)),),
    )

    assert verdicts(network_interface_findings(state)) == {
        "eni-left": True,
        "eni-used": False,
        "eni-listed": False,
    }


def test_a_marked_eni_in_use_again_is_unmarked_and_one_left_past_the_grace_period_is_deleted() -> None:
    state = inventory(
        network_interfaces=(
            ecs_eni("eni-back", "in-use", tags=marked(LONG_AGO)),
            ecs_eni("eni-left", tags=marked(LONG_AGO)),
            ecs_eni("eni-new"),
        )
    )

    plan = plan_cleanup(state, POLICY, NOW)

    assert [(a.resource, a.action) for a in plan.actions] == [
        ("eni-back", UNMARK),
        ("eni-left", DELETE),
        ("eni-new", MARK),
    ]
    assert "left available, no live task lists it" in plan.actions[1].reason


# --- log groups -----------------------------------------------------------------------------------------


def test_a_quiet_log_group_no_staying_revision_names_is_an_orphan_and_every_other_is_kept_with_why() -> None:
    state = inventory(
        revisions=(revision("web", 1, log_groups=("/ecs/web",)),),
        log_groups=(
            LogGroup("/ecs/web", LONG_AGO, LONG_AGO),  # named by web:1, which stays
            LogGroup("/ecs/gone", LONG_AGO, NOW - 40 * DAY),
            LogGroup("/ecs/busy", LONG_AGO, NOW - DAY),
            LogGroup("/ecs/new", NOW - DAY),  # no event yet, created yesterday
            LogGroup("/ecs/empty", LONG_AGO),  # no event since it was created long ago
            LogGroup("/aws/lambda/job", LONG_AGO, LONG_AGO),  # outside the prefix: never a candidate
        ),
    )

    found = log_group_findings(state, state.revisions, POLICY, NOW)

    assert verdicts(found) == {
        "/ecs/web": False,
        "/ecs/gone": True,
        "/ecs/busy": False,
        "/ecs/new": False,
        "/ecs/empty": True,
    }
    reasons = {f.resource: f.reasons for f in found.findings}
    assert reasons["/ecs/web"] == ("the awslogs-group of task definition web:1",)
    assert reasons["/ecs/busy"][0].startswith("its last event ")
    assert "no task definition that stays names it" in reasons["/ecs/gone"][0]


def test_the_log_group_of_a_revision_deleted_by_this_plan_is_marked_the_same_day() -> None:
    # web:1 is past its grace period and goes; web:2 stays and logs elsewhere
    state = inventory(
        revisions=(
            revision("web", 1, tags=marked(LONG_AGO), log_groups=("/ecs/old",)),
            revision("web", 2, log_groups=("/ecs/web",)),
        ),
        log_groups=(LogGroup("/ecs/old", LONG_AGO, LONG_AGO), LogGroup("/ecs/web", LONG_AGO, LONG_AGO)),
    )

    plan = plan_cleanup(state, POLICY, NOW)

    assert actions_on(plan, td_arn("web", 1)) == [DEREGISTER, DELETE]
    assert actions_on(plan, "/ecs/old") == [MARK]
    assert actions_on(plan, "/ecs/web") == []


def test_while_a_staying_revisions_log_groups_are_unknown_no_log_group_is_judged() -> None:
    undescribed = replace(revision("web", 1), log_groups=None)
    state = inventory(revisions=(undescribed,), log_groups=(LogGroup("/ecs/web", LONG_AGO, LONG_AGO),))

    plan = plan_cleanup(state, POLICY, NOW)

    assert actions_on(plan, "/ecs/web") == []
    assert plan.needs_revision_images == (td_arn("web", 1),)
    assert any("log groups of 1 revisions are unknown" in w for w in plan.warnings)


def test_with_no_prefix_no_log_group_is_judged_and_the_plan_says_so() -> None:
    state = inventory(log_groups=(LogGroup("/ecs/gone", LONG_AGO, LONG_AGO),))

    plan = plan_cleanup(state, replace(POLICY, log_group_prefixes=()), NOW)

    assert plan.actions == () and plan.kept == ()
    assert any("no log group prefix is set" in w for w in plan.warnings)


# --- the policy -----------------------------------------------------------------------------------------


def test_log_groups_are_off_by_default_and_network_interfaces_on() -> None:
    assert LOG_GROUP not in DEFAULT_KINDS
    assert NETWORK_INTERFACE in DEFAULT_KINDS


def test_an_empty_log_group_prefix_is_refused() -> None:
    with pytest.raises(CleanupPolicyError, match="prefix must not be empty"):
        CleanupPolicy(log_group_prefixes=("",))


def test_the_log_group_prefix_and_idle_age_come_from_the_environment() -> None:
    env = {"CLEANUP_LOG_GROUP_PREFIX": "/ecs/shop/", "CLEANUP_LOG_GROUP_IDLE_DAYS": "2"}

    policy = cleanup_config(env, {}).policy

    assert policy.log_group_prefixes == ("/ecs/shop/",)
    assert policy.log_group_idle_seconds == 2 * DAY
    assert cleanup_config({}, {}).policy.log_group_prefixes == ()
