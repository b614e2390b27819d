"""The plan's safety: mark then delete, the scope, the protected tag, other features' resources, guards."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fargate_ops.domain.cleanup_plan import DELETE, DEREGISTER, MARK, UNMARK, plan_cleanup
from fargate_ops.domain.cleanup_policy import (
    IMAGE,
    KINDS,
    NETWORK_INTERFACE,
    TARGET_GROUP,
    TASK_DEFINITION,
    CleanupPolicy,
    Guard,
    Scope,
)
from fargate_ops.domain.inventory import (
    MARK_TAG,
    DeployRecord,
    LogGroup,
    NetworkInterface,
    Repository,
    parse_mark,
)
from fargate_ops.errors import CleanupPolicyError
from tests.unit.cleanup_world import (
    DAY,
    NOW,
    actions_on,
    apply,
    image,
    inventory,
    marked,
    revision,
    revisions,
    service,
    target_group,
    td_arn,
)

LONG_AGO = NOW - 60 * DAY
POLICY = CleanupPolicy(kinds=frozenset(KINDS), keep_revisions=1, log_group_prefixes=("/ecs/",))
ECS_ENI = "arn:aws:ecs:us-east-1:123456789012:attachment/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"


def test_an_orphan_found_the_first_time_is_marked_with_the_time_it_was_found() -> None:
    state = inventory(revisions=revisions("web", 1, 2))

    plan = plan_cleanup(state, POLICY, NOW)
    after = apply(state, plan)

    assert actions_on(plan, td_arn("web", 1)) == [MARK]
    assert plan.actions[0].reason.endswith("deleted after 2026-01-12 09:00 UTC if still an orphan")
    assert parse_mark(after.revisions[0].tags[MARK_TAG]) == NOW


def test_a_marked_orphan_is_deleted_only_once_the_grace_period_is_over() -> None:
    found = inventory(revisions=revisions("web", 1, 2))
    state = apply(found, plan_cleanup(found, POLICY, NOW))

    early = plan_cleanup(state, POLICY, NOW + 7 * DAY - 1)
    due = plan_cleanup(state, POLICY, NOW + 7 * DAY)

    assert early.actions == ()
    assert [w.resource for w in early.waiting] == [td_arn("web", 1)]
    assert actions_on(due, td_arn("web", 1)) == [DEREGISTER, DELETE]


def test_a_marked_resource_back_in_use_is_unmarked_and_not_deleted() -> None:
    state = inventory(
        revisions=(revision("web", 1, tags=marked(LONG_AGO)), revision("web", 2)),
        services=(service("staging", "web", td_arn("web", 1)),),
    )

    plan = plan_cleanup(state, POLICY, NOW)

    assert actions_on(plan, td_arn("web", 1)) == [UNMARK]
    assert MARK_TAG not in apply(state, plan).revisions[0].tags


def test_a_mark_that_does_not_read_as_a_time_is_marked_again_rather_than_deleted() -> None:
    state = inventory(revisions=(revision("web", 1, tags={MARK_TAG: "last tuesday"}), revision("web", 2)))

    assert actions_on(plan_cleanup(state, POLICY, NOW), td_arn("web", 1)) == [MARK]


@pytest.mark.parametrize(
    ("scope", "changed"),
    [
        (Scope(clusters=("prod*",)), {"web:1", "tg-prod"}),
        (Scope(families=("api",)), {"api:1"}),
        (Scope(repositories=("web",)), {"image"}),
        (Scope(tags={"team": "a*"}), {"web:1", "eni"}),
        (Scope(), {"web:1", "api:1", "tg-prod", "eni", "image"}),
    ],
    ids=["clusters", "families", "repositories", "tags", "open"],
)
def test_nothing_out_of_scope_is_marked_or_deleted(scope: Scope, changed: set[str]) -> None:
    # web runs in prod, api in staging; a deleted prod service used tg-prod; the ENI and the image
    # name no cluster and no family.
    old = target_group("tg-prod", tags={"fargate-ops:application": "web", **marked(LONG_AGO)})
    state = inventory(
        revisions=(
            revision("web", 1, tags={"team": "alpha", **marked(LONG_AGO)}),
            revision("web", 2),
            revision("api", 1, tags=marked(LONG_AGO)),
            revision("api", 2),
        ),
        services=(
            service("prod", "web", td_arn("web", 2)),
            service("staging", "api", td_arn("api", 2)),
            service("prod", "old", status="INACTIVE", desired=0, target_groups=(old.arn,)),
        ),
        target_groups=(old,),
        network_interfaces=(
            NetworkInterface(
                "eni-1",
                "available",
                description=ECS_ENI,
                requester_managed=True,
                tags=marked(LONG_AGO, {"team": "alpha"}),
            ),
        ),
        images=(image("web", 1, pushed_at=LONG_AGO),),
        marks={(IMAGE, image("web", 1).id): LONG_AGO},
    )
    names = {
        td_arn("web", 1): "web:1",
        td_arn("api", 1): "api:1",
        "eni-1": "eni",
        image("web", 1).id: "image",
    }
    names[old.arn] = "tg-prod"

    plan = plan_cleanup(state, replace(POLICY, scope=scope), NOW)

    assert {names[a.resource] for a in plan.actions} == changed
    assert {a.action for a in plan.actions} <= {DEREGISTER, DELETE}


def test_a_protected_resource_is_never_touched_not_even_to_unmark_it() -> None:
    protect = {"fargate-ops:protect": "yes", **marked(LONG_AGO)}
    state = inventory(
        revisions=(revision("web", 1, tags=protect), revision("web", 2, tags=protect)),
        network_interfaces=(
            NetworkInterface("eni-1", "available", description=ECS_ENI, requester_managed=True, tags=protect),
        ),
    )

    plan = plan_cleanup(state, POLICY, NOW)

    assert plan.actions == ()
    assert {(x.resource, x.why) for x in plan.left_alone} == {
        (td_arn("web", 1), "protected by the tag fargate-ops:protect"),
        (td_arn("web", 2), "protected by the tag fargate-ops:protect"),
        ("eni-1", "protected by the tag fargate-ops:protect"),
    }


def test_an_image_in_a_protected_repository_is_never_touched() -> None:
    state = inventory(
        repositories=(Repository("base", tags={"fargate-ops:protect": ""}),),
        images=(image("base", 1, pushed_at=LONG_AGO),),
    )

    assert plan_cleanup(state, POLICY, NOW).actions == ()


def test_resources_another_aws_feature_manages_are_left_alone() -> None:
    state = inventory(
        target_groups=(
            target_group("ecs-tg", tags={"fargate-ops:application": "web"}, managed_by="Amazon ECS"),
            target_group(
                "cfn-tg", tags={"fargate-ops:application": "web", "aws:cloudformation:stack-name": "s"}
            ),
        ),
        log_groups=(LogGroup("/ecs/x", LONG_AGO, LONG_AGO, tags={"AmazonECSManaged": "true"}),),
    )

    plan = plan_cleanup(state, POLICY, NOW)

    assert plan.actions == ()
    assert sorted(x.why for x in plan.left_alone) == [
        "managed by Amazon ECS",
        "managed by Amazon ECS",
        "managed by CloudFormation stack s",
    ]


def test_the_guard_refuses_the_whole_plan_and_names_the_numbers() -> None:
    state = inventory(
        revisions=(
            *revisions("web", *range(1, 12), tags=marked(LONG_AGO)),
            revision("api", 1),
            revision("api", 2),
        ),
        target_groups=(target_group("old", tags={"fargate-ops:application": "web", **marked(LONG_AGO)}),),
    )
    policy = replace(POLICY, guards={TASK_DEFINITION: Guard(max_count=5)})

    plan = plan_cleanup(state, policy, NOW)

    assert plan.actions == ()
    assert plan.refused == "10 task-definition deletions, more than the limit of 5"


def test_the_percentage_guard_counts_the_resources_of_that_kind_in_scope() -> None:
    state = inventory(
        target_groups=(
            target_group("a", tags={"fargate-ops:application": "web", **marked(LONG_AGO)}),
            target_group("b", tags={"fargate-ops:application": "web"}, load_balancer_arns=("arn:lb/1",)),
        )
    )
    policy = replace(POLICY, guards={TARGET_GROUP: Guard(max_count=None, max_percent=40)})

    plan = plan_cleanup(state, policy, NOW)

    assert plan.actions == ()
    assert plan.refused == "1 of 2 target-group in scope (50%), more than 40%"
    assert plan_cleanup(state, replace(policy, guards={TARGET_GROUP: Guard(max_percent=50)}), NOW).actions


def test_marks_do_not_count_against_the_guard() -> None:
    state = inventory(revisions=revisions("web", *range(1, 30)))
    policy = replace(POLICY, guard=Guard(max_count=1))

    plan = plan_cleanup(state, policy, NOW)

    assert plan.refused is None
    assert len(plan.actions) == 28


def test_a_kind_switched_off_is_neither_marked_nor_deleted() -> None:
    state = inventory(
        revisions=revisions("web", 1, 2, tags=marked(LONG_AGO)),
        network_interfaces=(
            NetworkInterface(
                "eni-1", "available", description=ECS_ENI, requester_managed=True, tags=marked(LONG_AGO)
            ),
        ),
    )

    plan = plan_cleanup(state, replace(POLICY, kinds=frozenset({NETWORK_INTERFACE})), NOW)

    assert [(a.resource, a.action) for a in plan.actions] == [("eni-1", DELETE)]


@pytest.mark.parametrize(
    "fields",
    [
        {"keep_revisions": 0},
        {"grace_seconds": -1},
        {"kinds": frozenset({"bucket"})},
        {"guard": Guard(max_percent=101)},
    ],
)
def test_a_policy_that_cannot_be_safe_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(CleanupPolicyError):
        CleanupPolicy(**fields)  # type: ignore[arg-type]


def test_the_dry_run_prints_every_action_and_every_kept_resource_with_its_reasons() -> None:
    record = DeployRecord(
        "d1", "prod", "web", "RUNNING", started_at=NOW, live_task_definition=td_arn("web", 2)
    )
    state = inventory(revisions=revisions("web", 1, 2, 3), deploy_records=(record,))

    lines = plan_cleanup(state, POLICY, NOW).lines()

    assert lines[0] == (
        "Cleanup plan at 2026-01-05 09:00 UTC: "
        "1 to mark, 0 to delete, 0 to unmark, 0 marked and waiting, 3 kept"
    )
    assert lines[1].split()[:3] == ["mark", "task-definition", f"{td_arn('web', 1)}:"]
    assert f"{td_arn('web', 2)}: deploy d1 is RUNNING: a rollback returns to it" in lines[2]
