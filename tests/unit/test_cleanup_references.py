"""What is in use, over the whole account whatever the scope, and every reason it is kept."""

from __future__ import annotations

from dataclasses import replace

from fargate_ops.domain.cleanup_plan import DELETE, DEREGISTER, MARK, UNMARK, CleanupPlan, plan_cleanup
from fargate_ops.domain.cleanup_policy import IMAGE, KINDS, TASK_DEFINITION, CleanupPolicy, Scope
from fargate_ops.domain.inventory import (
    DELETE_IN_PROGRESS,
    INACTIVE,
    RUNNING,
    Application,
    DeployRecord,
    ImageRef,
    ImageUse,
    Listener,
    ListenerRule,
    RuleTarget,
    ScheduleTarget,
    Task,
    TaskDefinitionRef,
    TaskSet,
    ecr_image_ref,
    task_definition_ref,
)
from fargate_ops.domain.references import images_in_use, revisions_in_use, target_groups_in_use
from tests.unit.cleanup_world import (
    ACCOUNT,
    DAY,
    NOW,
    REGION,
    actions_on,
    digest,
    image,
    image_uri,
    inventory,
    marked,
    revision,
    revisions,
    service,
    target_group,
    td_arn,
    tg_arn,
)

KEEP_ONE = CleanupPolicy(keep_revisions=1, kinds=frozenset({TASK_DEFINITION}))
LONG_AGO = NOW - 30 * DAY


def kept_reasons(plan: CleanupPlan, resource: str) -> tuple[str, ...]:
    return next(k.reasons for k in plan.kept if k.resource == resource)


def test_a_revision_only_a_service_in_a_cluster_out_of_scope_runs_is_kept() -> None:
    # The reviewer's case: with clusters prod*, a revision of a family prod uses, run only by staging.
    state = inventory(
        revisions=(revision("web", 1, tags=marked(LONG_AGO)), *revisions("web", 2, 3)),
        services=(service("prod", "web", td_arn("web", 3)), service("staging", "web", td_arn("web", 2))),
    )
    policy = CleanupPolicy(
        keep_revisions=1, kinds=frozenset({TASK_DEFINITION}), scope=Scope(clusters=("prod*",))
    )

    plan = plan_cleanup(state, policy, NOW)

    assert actions_on(plan, td_arn("web", 2)) == []
    assert kept_reasons(plan, td_arn("web", 2)) == ("run by the PRIMARY deployment of service staging/web",)
    assert actions_on(plan, td_arn("web", 1)) == [DEREGISTER, DELETE]  # in scope, and unused


def test_a_revision_only_an_eventbridge_rule_targets_is_kept() -> None:
    state = inventory(
        revisions=revisions("report", 1, 2),
        rule_targets=(RuleTarget("nightly-report", "t1", td_arn("report", 1), cluster="batch"),),
    )

    plan = plan_cleanup(state, KEEP_ONE, NOW)

    assert actions_on(plan, td_arn("report", 1)) == []
    assert kept_reasons(plan, td_arn("report", 1)) == (
        "started by EventBridge rule nightly-report on bus default (target t1)",
    )


def test_a_revision_only_a_scheduler_schedule_targets_is_kept() -> None:
    state = inventory(
        revisions=revisions("report", 1, 2),
        schedule_targets=(ScheduleTarget("weekly", "report:1", cluster="batch", group="reports"),),
    )

    plan = plan_cleanup(state, KEEP_ONE, NOW)

    assert actions_on(plan, td_arn("report", 1)) == []
    assert kept_reasons(plan, td_arn("report", 1)) == (
        "started by EventBridge Scheduler schedule reports/weekly",
    )


def test_a_family_only_target_pins_the_latest_active_revision_not_a_newer_inactive_one() -> None:
    state = inventory(
        revisions=(*revisions("report", 1, 2, 3), revision("report", 4, INACTIVE)),
        rule_targets=(RuleTarget("nightly", "t1", td_arn("report")),),
    )

    in_use = revisions_in_use(state, keep=1, now=NOW).in_use

    assert td_arn("report", 4) not in in_use
    assert in_use[td_arn("report", 3)] == (
        "started by EventBridge rule nightly on bus default (target t1) "
        "(a family-only reference: the latest ACTIVE revision of report)",
        "among the newest 1 ACTIVE revisions of report",
    )
    assert set(in_use) == {td_arn("report", 3)}


def test_running_and_pending_tasks_keep_their_revisions_but_a_stopped_one_does_not() -> None:
    state = inventory(
        revisions=revisions("job", 1, 2, 3, 4),
        tasks=(
            Task("arn:aws:ecs:us-east-1:1:task/batch/a", "batch", td_arn("job", 1), "RUNNING"),
            Task("arn:aws:ecs:us-east-1:1:task/batch/b", "batch", td_arn("job", 2), "PENDING"),
            Task("arn:aws:ecs:us-east-1:1:task/batch/c", "batch", td_arn("job", 3), "STOPPED"),
        ),
    )

    in_use = revisions_in_use(state, keep=1, now=NOW).in_use

    assert in_use[td_arn("job", 1)] == ("run by RUNNING task a in cluster batch",)
    assert in_use[td_arn("job", 2)] == ("run by PENDING task b in cluster batch",)
    assert td_arn("job", 3) not in in_use


def test_a_task_set_and_a_draining_deployment_keep_their_revisions() -> None:
    web = service("prod", "web", td_arn("web", 5), td_arn("web", 2))
    api = replace(service("prod", "api", desired=0), task_sets=(TaskSet("ts-1", td_arn("api", 1)),))
    state = inventory(revisions=(*revisions("web", 1, 2, 5), *revisions("api", 1, 7)), services=(web, api))

    in_use = revisions_in_use(state, keep=1, now=NOW).in_use

    assert in_use[td_arn("web", 2)] == ("run by the ACTIVE deployment of service prod/web",)
    assert in_use[td_arn("api", 1)] == ("run by task set ts-1 of service prod/api",)
    assert td_arn("web", 1) not in in_use


def test_a_deleted_service_keeps_nothing() -> None:
    state = inventory(
        revisions=revisions("web", 1, 2),
        services=(service("prod", "web", td_arn("web", 1), status="INACTIVE", desired=0),),
    )

    assert td_arn("web", 1) not in revisions_in_use(state, keep=1, now=NOW).in_use


def test_a_running_deploy_keeps_the_revision_a_rollback_returns_to_and_green() -> None:
    record = DeployRecord(
        "d7",
        "prod",
        "web",
        RUNNING,
        started_at=NOW - 600,
        live_task_definition=td_arn("web", 3),
        green_task_definition=td_arn("web", 4),
    )
    state = inventory(revisions=revisions("web", 1, 2, 3, 4, 5), deploy_records=(record,))

    in_use = revisions_in_use(state, keep=1, now=NOW).in_use

    assert in_use[td_arn("web", 3)] == ("deploy d7 is RUNNING: a rollback returns to it",)
    assert in_use[td_arn("web", 4)] == ("deploy d7 is RUNNING: it is green",)
    assert set(in_use) == {td_arn("web", n) for n in (3, 4, 5)}


def test_a_finished_deploy_keeps_its_revisions_until_its_rollback_window_closes() -> None:
    record = DeployRecord(
        "d8",
        "prod",
        "web",
        "SUCCEEDED",
        started_at=NOW - 7200,
        finished_at=NOW - 3600,
        live_task_definition=td_arn("web", 1),
        green_task_definition=td_arn("web", 2),
        rollback_window_seconds=7200,
    )
    state = inventory(revisions=revisions("web", 1, 2, 3), deploy_records=(record,))

    assert td_arn("web", 1) in revisions_in_use(state, keep=1, now=NOW).in_use
    assert td_arn("web", 1) not in revisions_in_use(state, keep=1, now=NOW + 3600).in_use


def test_the_newest_active_revisions_are_kept_and_inactive_ones_do_not_count_among_them() -> None:
    state = inventory(revisions=(*revisions("web", 1, 2, 3), *revisions("web", 4, 5, status=INACTIVE)))

    in_use = revisions_in_use(state, keep=2, now=NOW).in_use

    assert set(in_use) == {td_arn("web", 2), td_arn("web", 3)}


def test_revision_numbers_sort_as_numbers_not_as_text() -> None:
    state = inventory(revisions=revisions("web", 9, 10, 11))

    assert set(revisions_in_use(state, keep=1, now=NOW).in_use) == {td_arn("web", 11)}


def test_a_revision_used_several_ways_lists_every_reason() -> None:
    state = inventory(
        revisions=revisions("web", 1),
        services=(service("prod", "web", td_arn("web", 1)),),
        schedule_targets=(ScheduleTarget("warm", td_arn("web", 1)),),
    )

    assert revisions_in_use(state, keep=1, now=NOW).in_use[td_arn("web", 1)] == (
        "run by the PRIMARY deployment of service prod/web",
        "started by EventBridge Scheduler schedule default/warm",
        "among the newest 1 ACTIVE revisions of web",
    )


def test_a_reference_to_a_revision_the_inventory_lacks_is_reported() -> None:
    state = inventory(services=(service("prod", "web", td_arn("web", 9)),))

    assert revisions_in_use(state, keep=1, now=NOW).warnings == (
        f"run by the PRIMARY deployment of service prod/web: {td_arn('web', 9)} is not in the inventory",
    )


def test_target_groups_named_by_a_listener_a_rule_a_service_or_a_slot_are_in_use() -> None:
    state = inventory(
        target_groups=tuple(target_group(n) for n in ("a", "b", "c", "d", "e", "f")),
        listeners=(Listener("arn:listener/1", "arn:lb/1", (tg_arn("a"),)),),
        listener_rules=(ListenerRule("arn:rule/1", "arn:listener/1", (tg_arn("b"),)),),
        services=(service("prod", "web", td_arn("web", 1), target_groups=(tg_arn("c"),)),),
        applications=(Application("prod", "api", ("api-blue", "api-green"), target_groups=(tg_arn("d"),)),),
    )

    in_use = target_groups_in_use(state)

    assert in_use[tg_arn("a")] == ("forwarded to by listener arn:listener/1",)
    assert in_use[tg_arn("b")] == ("forwarded to by listener rule arn:rule/1",)
    assert in_use[tg_arn("c")] == ("the load balancer of service prod/web",)
    assert in_use[tg_arn("d")] == ("a slot target group of application prod/api",)
    assert set(in_use) == {tg_arn(n) for n in "abcd"}


def test_an_image_referenced_only_through_a_multi_architecture_index_is_kept() -> None:
    index = image("web", 1, "v2", children=(digest(2), digest(3)))
    state = inventory(
        revisions=revisions("web", 1, images=(image_uri("web", "v2"),)),
        images=(index, image("web", 2), image("web", 3), image("web", 4)),
    )
    policy = CleanupPolicy(kinds=frozenset(KINDS), image_min_idle_seconds=0)

    usage = images_in_use(state, state.revisions)
    plan = plan_cleanup(state, policy, NOW)

    assert usage.in_use[image("web", 2).id] == (f"a platform image of index {index.id}",)
    assert set(usage.in_use) == {index.id, image("web", 2).id, image("web", 3).id}
    assert [a.resource for a in plan.actions if a.kind == IMAGE] == [image("web", 4).id]


def test_an_index_is_kept_when_a_revision_pins_one_of_its_platform_images_by_digest() -> None:
    index = image("web", 1, "v2", children=(digest(2), digest(3)))
    state = inventory(
        revisions=revisions("web", 1, images=(image_uri("web", digest=digest(3)),)),
        images=(index, image("web", 2), image("web", 3)),
    )

    in_use = images_in_use(state, state.revisions).in_use

    assert in_use[index.id] == (f"the image index of {image('web', 3).id}, which is in use",)
    assert image("web", 2).id in in_use  # the index's other platform, or the index would break


def test_images_of_another_registry_region_or_account_are_not_matched() -> None:
    other_account = f"999999999999.dkr.ecr.{REGION}.amazonaws.com/web:v1"
    other_region = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/web:v1"
    state = inventory(
        revisions=revisions(
            "web", 1, images=(other_account, other_region, "web:v1", "public.ecr.aws/web/web:v1")
        ),
        images=(image("web", 1, "v1"),),
    )

    assert images_in_use(state, state.revisions).in_use == {}


def test_an_image_lambda_uses_is_kept_and_an_archived_one_in_use_is_warned_about() -> None:
    state = inventory(
        images=(image("fn", 1, "v1", archived=True),),
        image_uses=(ImageUse("Lambda function resize", image_uri("fn", "v1")),),
    )

    usage = images_in_use(state, ())

    assert usage.in_use[image("fn", 1).id] == ("used by Lambda function resize",)
    assert "archived" in usage.warnings[0]


def test_an_image_used_only_by_a_revision_this_plan_deletes_is_an_orphan_and_one_waiting_keeps_it() -> None:
    old, waiting = image("web", 1, "v1"), image("web", 2, "v2")
    state = inventory(
        revisions=(
            revision("web", 1, images=(image_uri("web", "v1"),), tags=marked(LONG_AGO)),
            revision("web", 2, images=(image_uri("web", "v2"),), tags=marked(NOW - DAY)),
            revision("web", 3),
        ),
        images=(old, waiting),
    )
    policy = CleanupPolicy(keep_revisions=1, kinds=frozenset(KINDS), image_min_idle_seconds=0)

    plan = plan_cleanup(state, policy, NOW)

    assert actions_on(plan, td_arn("web", 1)) == [DEREGISTER, DELETE]
    assert actions_on(plan, old.id) == [MARK]
    assert actions_on(plan, waiting.id) == []
    assert kept_reasons(plan, waiting.id) == ("used by task definition web:2",)


def test_task_definition_references_parse_with_and_without_revision() -> None:
    assert task_definition_ref(td_arn("web", 12)) == TaskDefinitionRef("web", 12)
    assert task_definition_ref(td_arn("web")) == TaskDefinitionRef("web", None)
    assert task_definition_ref("web:3") == TaskDefinitionRef("web", 3)
    assert task_definition_ref("web") == TaskDefinitionRef("web", None)


def test_ecr_image_uris_parse_to_repository_tag_and_digest() -> None:
    def parse(uri: str) -> ImageRef | None:
        return ecr_image_ref(uri, ACCOUNT, REGION)

    assert parse(image_uri("team/web", "v1")) == ImageRef("team/web", "v1", None)
    assert parse(image_uri("web")) == ImageRef("web", "latest", None)
    assert parse(image_uri("web", "v1", digest(5))) == ImageRef("web", "v1", digest(5))
    assert parse(f"{ACCOUNT}.dkr-ecr.{REGION}.on.aws/web:v1") == ImageRef("web", "v1", None)
    assert parse("localhost:5000/web:v1") is None


def test_an_image_a_revision_being_deleted_still_runs_is_kept_until_its_tasks_stop() -> None:
    # ECS keeps a DELETE_IN_PROGRESS revision while a task runs it: the task may restart and pull again.
    state = inventory(
        revisions=(
            revision("job", 1, DELETE_IN_PROGRESS, images=(image_uri("job", "v1"),)),
            revision("job", 2, DELETE_IN_PROGRESS, images=(image_uri("job", "v0"),)),
        ),
        tasks=(Task("arn:aws:ecs:us-east-1:1:task/batch/a", "batch", td_arn("job", 1)),),
        images=(image("job", 1, "v1"), image("job", 2, "v0")),
        marks={(IMAGE, image("job", 1).id): LONG_AGO, (IMAGE, image("job", 2).id): LONG_AGO},
    )
    policy = CleanupPolicy(kinds=frozenset(KINDS), image_min_idle_seconds=0)

    plan = plan_cleanup(state, policy, NOW)

    assert actions_on(plan, image("job", 1).id) == [UNMARK]
    assert actions_on(plan, image("job", 2).id) == [DELETE]
