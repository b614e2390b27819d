"""The orphan rules, one kind at a time: what is an orphan, and what is kept and why."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from fargate_ops.domain.cleanup_plan import DELETE, DEREGISTER, MARK, delete_batches, plan_cleanup
from fargate_ops.domain.cleanup_policy import (
    DEPLOY_RECORD,
    IMAGE,
    KINDS,
    LEASE,
    SERVICE,
    TASK_DEFINITION,
    CleanupPolicy,
    Scope,
)
from fargate_ops.domain.inventory import (
    DELETE_IN_PROGRESS,
    INACTIVE,
    RUNNING,
    Application,
    Deployment,
    DeployRecord,
    Lease,
    Listener,
    Repository,
    Task,
)
from fargate_ops.domain.orphans import (
    Findings,
    deploy_record_findings,
    image_findings,
    lease_findings,
    service_findings,
    target_group_findings,
)
from tests.unit.cleanup_world import (
    DAY,
    NOW,
    actions_on,
    image,
    image_uri,
    inventory,
    marked,
    revision,
    revisions,
    service,
    service_arn,
    target_group,
    td_arn,
)

LONG_AGO = NOW - 60 * DAY
POLICY = CleanupPolicy(kinds=frozenset(KINDS), keep_revisions=1)


def verdicts(found: Findings) -> dict[str, bool]:
    return {f.resource: f.orphan for f in found.findings}


# --- revisions -----------------------------------------------------------------------------------------


def test_an_unused_active_revision_past_the_grace_period_is_deregistered_then_deleted() -> None:
    state = inventory(revisions=(revision("web", 1, tags=marked(NOW - 8 * DAY)), revision("web", 2)))

    plan = plan_cleanup(state, POLICY, NOW)

    assert actions_on(plan, td_arn("web", 1)) == [DEREGISTER, DELETE]
    assert "not among the newest 1 ACTIVE revisions of web" in plan.actions[0].reason


def test_an_inactive_orphan_revision_only_needs_deleting() -> None:
    state = inventory(revisions=(revision("web", 1, INACTIVE, tags=marked(LONG_AGO)), revision("web", 2)))

    assert actions_on(plan_cleanup(state, POLICY, NOW), td_arn("web", 1)) == [DELETE]


def test_a_revision_being_deleted_needs_nothing_more() -> None:
    state = inventory(
        revisions=(revision("web", 1, DELETE_IN_PROGRESS, tags=marked(LONG_AGO)), revision("web", 2))
    )

    plan = plan_cleanup(state, POLICY, NOW)

    assert actions_on(plan, td_arn("web", 1)) == []
    assert td_arn("web", 1) not in {k.resource for k in plan.kept}


def test_revision_deletions_go_to_delete_task_definitions_ten_at_a_time() -> None:
    state = inventory(revisions=revisions("web", *range(1, 25), tags=marked(LONG_AGO)))

    batches = delete_batches(plan_cleanup(state, POLICY, NOW))

    assert [len(b) for b in batches] == [10, 10, 3]
    assert td_arn("web", 24) not in {arn for batch in batches for arn in batch}


# --- target groups -------------------------------------------------------------------------------------


def test_an_unused_target_group_this_tool_created_is_an_orphan_and_someone_elses_is_not() -> None:
    ours = target_group("web-old-tg", tags={"fargate-ops:application": "web"})
    theirs = target_group("legacy-tg")
    used = target_group("web-tg", tags={"fargate-ops:application": "web"})
    state = inventory(
        target_groups=(ours, theirs, used), listeners=(Listener("arn:listener/1", "arn:lb/1", (used.arn,)),)
    )

    found = target_group_findings(state, POLICY)

    assert verdicts(found) == {ours.arn: True, theirs.arn: False, used.arn: False}


def test_a_target_group_the_scope_selects_by_tag_is_an_orphan_when_unused() -> None:
    team = target_group("team-tg", tags={"team": "payments"})
    policy = replace(POLICY, scope=Scope(tags={"team": "payments"}))

    assert verdicts(target_group_findings(inventory(target_groups=(team,)), policy)) == {team.arn: True}


def test_a_target_group_a_balancer_still_routes_to_is_in_use_even_without_a_listener_in_view() -> None:
    group = target_group("web-tg", tags={"fargate-ops:application": "web"}, load_balancer_arns=("arn:lb/1",))

    assert verdicts(target_group_findings(inventory(target_groups=(group,)), POLICY)) == {group.arn: False}


# --- idle slot services --------------------------------------------------------------------------------

APP = Application("prod", "web", ("web-blue", "web-green"), live_slot="web-blue", last_deploy_id="d1")
BLUE = service("prod", "web-blue", td_arn("web", 2), desired=2)
GREEN = replace(
    service("prod", "web-green", td_arn("web", 1), desired=0),
    deployments=(Deployment(td_arn("web", 1), updated_at=NOW - 10 * DAY),),
)


def test_an_idle_slot_idle_longer_than_the_set_age_is_an_orphan() -> None:
    state = inventory(applications=(APP,), services=(BLUE, GREEN))

    found = service_findings(state, POLICY, NOW)

    assert verdicts(found) == {BLUE.arn: False, GREEN.arn: True}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"services": (BLUE, replace(GREEN, desired_count=1, running_count=0))}, "desired count 1"),
        ({"services": (BLUE, replace(GREEN, pending_count=1))}, "1 tasks running or pending"),
        ({"applications": (replace(APP, live_slot="web-green"),)}, "the live slot of application prod/web"),
        (
            {"deploy_records": (DeployRecord("d2", "prod", "web", RUNNING, started_at=LONG_AGO),)},
            "deploy d2 of application prod/web is RUNNING",
        ),
        (
            {"leases": (Lease("prod", "web", "d3", NOW + 60),)},
            "deploy d3 holds the lease of application prod/web",
        ),
        (
            {
                "services": (
                    BLUE,
                    replace(GREEN, deployments=(Deployment(td_arn("web", 1), updated_at=NOW - DAY),)),
                )
            },
            "idle only since",
        ),
    ],
    ids=["scaled", "pending", "live", "deploying", "leased", "recent"],
)
def test_a_slot_is_not_idle_while_scaled_live_deploying_leased_or_recently_active(
    change: dict[str, Any], reason: str
) -> None:
    state = replace(inventory(applications=(APP,), services=(BLUE, GREEN)), **change)

    finding = next(f for f in service_findings(state, POLICY, NOW).findings if f.resource == GREEN.arn)

    assert not finding.orphan
    assert any(r.startswith(reason) for r in finding.reasons), finding.reasons


def test_a_service_that_is_no_slot_of_this_tool_is_never_a_candidate() -> None:
    state = inventory(services=(replace(GREEN, tags=marked(LONG_AGO)),))

    assert service_findings(state, POLICY, NOW).findings == []
    assert plan_cleanup(state, POLICY, NOW).actions == ()


# --- the table's own items -----------------------------------------------------------------------------


def test_an_expired_lease_of_a_finished_deploy_is_stale_and_a_running_deploys_is_not() -> None:
    state = inventory(
        leases=(
            Lease("prod", "web", "d1", NOW - 60),
            Lease("prod", "api", "d2", NOW - 60),
            Lease("prod", "x", "d3", NOW + 60),
        ),
        deploy_records=(
            DeployRecord("d1", "prod", "web", "SUCCEEDED", started_at=LONG_AGO, finished_at=LONG_AGO),
            DeployRecord("d2", "prod", "api", RUNNING, started_at=NOW - 3600),
        ),
    )

    assert verdicts(lease_findings(state, NOW)) == {
        "prod/web": True,
        "prod/api": False,
        "prod/x": False,
    }


def test_an_expired_lease_whose_record_is_gone_is_stale_and_an_unexpired_one_is_not() -> None:
    state = inventory(leases=(Lease("prod", "web", "d1", NOW - 60), Lease("prod", "api", "d2", NOW + 60)))

    assert verdicts(lease_findings(state, NOW)) == {"prod/web": True, "prod/api": False}


def test_a_deploy_record_past_its_retention_is_expired_unless_it_is_the_last_of_its_application() -> None:
    def record(deploy_id: str, status: str = "SUCCEEDED", ended: float = NOW - 100 * DAY) -> DeployRecord:
        return DeployRecord(deploy_id, "prod", "web", status, started_at=ended - 60, finished_at=ended)

    state = inventory(
        applications=(replace(APP, last_deploy_id="last"),),
        deploy_records=(
            record("old"),
            record("last"),
            record("recent", ended=NOW - DAY),
            record("stuck", RUNNING),
        ),
    )

    assert verdicts(deploy_record_findings(state, POLICY, NOW)) == {
        "old": True,
        "last": False,
        "recent": False,
        "stuck": False,
    }


def test_a_deploy_record_past_its_ttl_is_expired_though_dynamodb_has_not_deleted_it() -> None:
    record = DeployRecord("d1", "prod", "web", "FAILED", started_at=NOW - DAY, expires_at=NOW - 60)

    assert verdicts(deploy_record_findings(inventory(deploy_records=(record,)), POLICY, NOW)) == {"d1": True}


# --- ECR images ----------------------------------------------------------------------------------------


def test_an_image_no_staying_revision_uses_is_an_orphan_only_when_images_are_switched_on() -> None:
    state = inventory(
        revisions=revisions("web", 1, images=(image_uri("web", "v1"),)),
        repositories=(Repository("web"),),
        images=(image("web", 1, "v1", pushed_at=LONG_AGO), image("web", 2, "v0", pushed_at=LONG_AGO)),
    )

    assert verdicts(image_findings(state, state.revisions, POLICY, NOW)) == {
        image("web", 1).id: False,
        image("web", 2).id: True,
    }
    assert actions_on(plan_cleanup(state, CleanupPolicy(), NOW), image("web", 2).id) == []
    assert actions_on(plan_cleanup(state, POLICY, NOW), image("web", 2).id) == [MARK]


def test_an_image_pushed_or_pulled_recently_is_kept() -> None:
    pushed = image("web", 1, pushed_at=NOW - DAY)
    pulled = image("web", 2, pushed_at=LONG_AGO, last_pulled_at=NOW - DAY)
    state = inventory(images=(pushed, pulled))

    assert verdicts(image_findings(state, (), POLICY, NOW)) == {pushed.id: False, pulled.id: False}


def test_no_image_is_judged_while_a_staying_revisions_images_are_unknown() -> None:
    state = inventory(
        revisions=(revision("web", 1, images=None),), images=(image("web", 1, pushed_at=LONG_AGO),)
    )

    found = image_findings(state, state.revisions, POLICY, NOW)

    assert found.findings == []
    assert found.warnings == ("images of 1 revisions are unknown: no image is judged",)
    assert found.needs_revision_images == (td_arn("web", 1),)


def test_images_no_revision_could_make_orphans_are_judged_without_reading_the_revisions() -> None:
    # Pushed yesterday, or protected: kept whatever the revisions use, so describing them (one
    # DescribeTaskDefinition each) would decide nothing.
    recent = image("web", 1, pushed_at=NOW - DAY)
    protected = Repository("api", tags={"fargate-ops:protect": "1"})
    state = inventory(
        revisions=(revision("web", 1, images=None),),
        repositories=(Repository("web"), protected),
        images=(recent, image("api", 2, pushed_at=LONG_AGO)),
    )

    plan = plan_cleanup(state, POLICY, NOW)

    assert plan.needs_revision_images == ()
    assert [k.resource for k in plan.kept if k.kind == IMAGE] == [recent.id]
    assert [x.resource for x in plan.left_alone if x.kind == IMAGE] == [image("api", 2).id]
    assert actions_on(plan, recent.id) == actions_on(plan, image("api", 2).id) == []


def test_the_revisions_to_describe_are_those_that_stay_a_running_one_being_deleted_included() -> None:
    running = revision("web", 1, DELETE_IN_PROGRESS, images=None)
    state = inventory(
        revisions=(running, revision("web", 2, images=None), revision("web", 3, images=None)),
        tasks=(Task("arn:aws:ecs:us-east-1:123456789012:task/prod/t1", "prod", running.arn),),
        images=(image("web", 1, pushed_at=LONG_AGO),),
    )
    policy = replace(POLICY, grace_seconds=0)
    deleting = replace(state, revisions=tuple(replace(r, tags=marked(LONG_AGO)) for r in state.revisions))

    plan = plan_cleanup(deleting, policy, NOW)

    assert plan.deletions(TASK_DEFINITION) == [td_arn("web", 2)]  # web:3 is the newest, web:1 runs
    assert sorted(plan.needs_revision_images) == [td_arn("web", 1), td_arn("web", 3)]
    assert actions_on(plan, image("web", 1).id) == []


def test_image_indexes_come_before_their_platform_images_so_ecr_accepts_the_deletes() -> None:
    platform = image("web", 2, pushed_at=LONG_AGO)
    index = image("web", 1, "v1", children=(platform.digest,), pushed_at=LONG_AGO)
    state = inventory(
        images=(platform, index), marks={(IMAGE, platform.id): LONG_AGO, (IMAGE, index.id): LONG_AGO}
    )

    plan = plan_cleanup(state, POLICY, NOW)

    assert [a.resource for a in plan.actions] == [index.id, platform.id]


def test_lease_and_record_marks_live_in_the_table_not_in_tags() -> None:
    lease = Lease("prod", "web", "d1", LONG_AGO)
    ended = NOW - 100 * DAY  # past the record retention
    record = DeployRecord("d1", "prod", "web", "FAILED", started_at=ended, finished_at=ended)
    state = inventory(leases=(lease,), deploy_records=(record,), marks={(LEASE, "prod/web"): LONG_AGO})

    plan = plan_cleanup(state, POLICY, NOW)

    assert actions_on(plan, "prod/web") == [DELETE]
    assert actions_on(plan, "d1") == [MARK]
    assert {a.kind for a in plan.actions} == {LEASE, DEPLOY_RECORD}


def test_an_idle_slot_past_its_grace_is_deleted() -> None:
    state = inventory(applications=(APP,), services=(BLUE, replace(GREEN, tags=marked(NOW - 8 * DAY))))

    plan = plan_cleanup(state, POLICY, NOW)

    assert [(a.kind, a.resource, a.action) for a in plan.actions] == [
        (SERVICE, service_arn("prod", "web-green"), DELETE)
    ]
    assert plan.actions[0].reason.startswith("an idle slot: desired 0, no task, not live")


def test_a_platform_image_past_its_grace_waits_while_an_index_listing_it_stays() -> None:
    platform = image("web", 2, pushed_at=LONG_AGO)
    index = image("web", 1, "v1", children=(platform.digest,), pushed_at=LONG_AGO)
    state = inventory(
        images=(platform, index), marks={(IMAGE, platform.id): LONG_AGO, (IMAGE, index.id): NOW - DAY}
    )

    plan = plan_cleanup(state, POLICY, NOW)

    assert plan.actions == ()
    (waiting,) = (w for w in plan.waiting if w.resource == platform.id)
    assert waiting.reason.endswith(f"waits for {index.id} to be deleted first")
