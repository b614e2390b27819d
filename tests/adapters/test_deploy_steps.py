"""Each deploy step against moto, through the same entry the Lambda uses (run_step)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from typing import Any
from unittest.mock import patch

import boto3
import pytest

from fargate_ops import clock
from fargate_ops.aws.store import Store
from fargate_ops.deploy import run_step
from fargate_ops.deploy.context import StepContext
from fargate_ops.errors import DeployInputError, PreflightError, UnknownStepError

EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:deploy:d1"


def run(step: str, doc: dict[str, Any], ctx: StepContext) -> dict[str, Any]:
    execution = EXECUTION.replace(":d1", f":{doc.get('deploy_id', 'd1')}")  # named by the deploy id
    if step == "plan":  # as StartExecution would: the execution runs with this input
        ctx.sfn.start(execution, doc)  # type: ignore[attr-defined]
    return run_step({"step": step, "deploy": doc, "execution": execution}, ctx)


def first_input(world: Any, **changes: Any) -> dict[str, Any]:
    return {
        "deploy_id": "d1",
        "cluster": "prod",
        "application": "web",
        "slots": ["web-blue", "web-green"],
        "listener_arn": world.listener_arn,
        "change": {"images": {"app": "web:1.4.2"}},
        "strategy": {"type": "all-at-once"},
        **changes,
    }


@contextmanager
def green_runs_and_serves(ctx: StepContext) -> Iterator[None]:
    """moto starts no task and registers no target: while a shift looks, each service runs its desired
    count, all healthy (a shift gives green weight only when it is whole)."""
    describe = ctx.ecs.describe_service

    def running(*args: Any) -> Any:
        state = describe(*args)
        return replace(state, running_count=state.desired_count, pending_count=0, deployments=())

    with (
        patch.object(ctx.ecs, "describe_service", running),
        patch.object(ctx.elbv2, "healthy_targets", lambda *_: 99),
    ):
        yield


def through(last: str, world: Any, ctx: StepContext, **changes: Any) -> dict[str, Any]:
    doc = first_input(world, **changes)
    for step in ("plan", "acquire_lease", "register_task_definition", "scale_up_green", "await_green",
                 "shift_traffic", "finalize"):  # fmt: skip
        with green_runs_and_serves(ctx) if step == "shift_traffic" else nullcontext():
            doc = run(step, doc, ctx)
        if step == last:
            return doc
    raise AssertionError(last)


def items(table: str) -> list[dict[str, Any]]:
    return boto3.client("dynamodb").scan(TableName=table)["Items"]


def weights(world: Any, arn: str | None = None) -> dict[str, int]:
    elb = boto3.client("elbv2")
    actions = elb.describe_listeners(ListenerArns=[arn or world.listener_arn])["Listeners"][0][
        "DefaultActions"
    ]
    return {g["TargetGroupArn"]: g["Weight"] for g in actions[0]["ForwardConfig"]["TargetGroups"]}


def service(name: str) -> dict[str, Any]:
    described: dict[str, Any] = boto3.client("ecs").describe_services(cluster="prod", services=[name])[
        "services"
    ][0]
    return described


# plan --------------------------------------------------------------------------------------------


def test_plan_finds_the_live_slot_from_the_listener_weights(world: Any, ctx: StepContext) -> None:
    doc = run("plan", first_input(world), ctx)

    assert (doc["live"]["service"], doc["green"]["service"]) == ("web-blue", "web-green")
    assert doc["live"]["desired_count"] == 2 and doc["live"]["task_definition"] == world.task_definition
    assert doc["steps"] == [{"percent": 100, "bake_seconds": 0}]
    assert doc["new_application"] is True and doc["execution"] == EXECUTION


def test_plan_changes_nothing(world: Any, ctx: StepContext, table: str) -> None:
    run("plan", first_input(world), ctx)

    assert items(table) == []


def test_plan_rejects_an_unknown_container_before_anything_is_touched(
    world: Any, ctx: StepContext, table: str
) -> None:
    with pytest.raises(DeployInputError) as caught:
        run("plan", first_input(world, change={"images": {"worker": "w:1"}}), ctx)

    assert caught.value.field == "change.images.worker"
    assert items(table) == []


def test_the_first_deploy_must_name_its_slots(world: Any, ctx: StepContext) -> None:
    raw = first_input(world)
    del raw["slots"]

    with pytest.raises(DeployInputError, match="slots"):
        run("plan", raw, ctx)


def test_plan_refuses_a_listener_that_does_not_forward_to_both_slots(world: Any, ctx: StepContext) -> None:
    boto3.client("elbv2").modify_listener(
        ListenerArn=world.listener_arn, DefaultActions=[{"Type": "forward", "TargetGroupArn": world.blue_tg}]
    )

    with pytest.raises(PreflightError, match="web-green"):
        run("plan", first_input(world), ctx)


def test_plan_writes_the_strategy_as_its_steps(world: Any, ctx: StepContext) -> None:
    doc = run(
        "plan", first_input(world, strategy="canary-10-percent-5-minutes", approval="before_traffic"), ctx
    )

    assert doc["steps"] == [
        {"percent": 10, "bake_seconds": 300, "gate": "approval"},
        {"percent": 100, "bake_seconds": 0},
    ]


def test_a_later_deploy_uses_the_recorded_slots_and_listener(world: Any, ctx: StepContext) -> None:
    run("release_lease", through("finalize", world, ctx), ctx)
    later = {
        "deploy_id": "d2",
        "cluster": "prod",
        "application": "web",
        "change": {"images": {"app": "web:1.4.3"}},
    }

    doc = run("plan", later, ctx)

    assert (doc["live"]["service"], doc["green"]["service"]) == ("web-green", "web-blue")
    assert doc["new_application"] is False


def test_a_later_deploy_naming_other_slots_is_refused(world: Any, ctx: StepContext) -> None:
    run("release_lease", through("acquire_lease", world, ctx), ctx)

    with pytest.raises(DeployInputError, match="recorded slots"):
        run("plan", first_input(world, deploy_id="d2", slots=["web-blue", "web-purple"]), ctx)


# lock, task definition, green --------------------------------------------------------------------


def test_acquire_lease_records_the_application_and_a_running_deploy(
    world: Any, ctx: StepContext, store: Store
) -> None:
    doc = through("acquire_lease", world, ctx)

    record = store.get_deploy("d1")
    assert doc["status"] == "RUNNING"
    assert (
        record is not None and record["status"] == "RUNNING" and record["strategy"] == {"type": "all-at-once"}
    )
    assert record["weight_history"][0]["weights"] == {world.blue_tg: 100, world.green_tg: 0}
    app = store.get_application("prod", "web")
    assert (
        app is not None and app.live_slot == "web-blue" and app.target_groups["web-green"] == world.green_tg
    )


def test_register_task_definition_derives_green_from_live_with_the_new_image(
    world: Any, ctx: StepContext
) -> None:
    doc = through("register_task_definition", world, ctx)

    registered = boto3.client("ecs").describe_task_definition(
        taskDefinition=doc["green"]["task_definition"], include=["TAGS"]
    )
    containers = {c["name"]: c["image"] for c in registered["taskDefinition"]["containerDefinitions"]}
    assert containers == {"app": "web:1.4.2", "envoy": "envoy:1.21"}
    assert {"key": "fargate-ops:deploy-id", "value": "d1"} in registered["tags"]


def test_a_whole_task_definition_is_used_as_given(world: Any, ctx: StepContext) -> None:
    given = boto3.client("ecs").register_task_definition(
        family="web", containerDefinitions=[{"name": "app", "image": "web:hotfix", "memory": 512}]
    )["taskDefinition"]["taskDefinitionArn"]

    doc = through("register_task_definition", world, ctx, change={"task_definition": "web:2"})

    assert doc["green"]["task_definition"] == given


def test_scale_up_green_gives_the_idle_slot_the_new_revision_and_the_live_count(
    world: Any, ctx: StepContext
) -> None:
    clock.set_time_source(lambda: 1_700_000_000.0)

    doc = through("scale_up_green", world, ctx)

    green = service("web-green")
    assert (green["taskDefinition"], green["desiredCount"]) == (doc["green"]["task_definition"], 2)
    assert doc["green_updated_at"] == 1_700_000_000.0
    assert service("web-blue")["desiredCount"] == 2


def test_await_green_parks_the_task_token_in_greens_wait_item(
    world: Any, ctx: StepContext, store: Store
) -> None:
    doc = through("await_green", world, ctx)

    wait = store.get_wait("prod", "web-green", consistent=True)
    assert wait is not None
    assert (wait.task_token, wait.deploy_id, wait.task_definition) == (
        "token-1",
        "d1",
        doc["green"]["task_definition"],
    )
    assert ctx.sfn.successes == []  # type: ignore[attr-defined]  # moto's deployments list is stale: not steady


def test_await_green_completes_the_wait_itself_when_green_is_already_steady(
    world: Any, ctx: StepContext, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = through("scale_up_green", world, ctx)
    steady = ctx.ecs.describe_service("prod", "web-green")
    green_revision = doc["green"]["task_definition"]
    monkeypatch.setattr(ctx.ecs, "describe_service", lambda *_: replace(steady, deployments=()))
    monkeypatch.setattr(ctx.elbv2, "healthy_targets", lambda *_: 2)  # moto registers no targets

    run("await_green", doc, ctx)

    assert steady.task_definition == green_revision
    assert [token for token, _ in ctx.sfn.successes] == ["token-1"]  # type: ignore[attr-defined]
    assert store.get_wait("prod", "web-green", consistent=True) is None


def test_await_green_needs_a_task_token(world: Any, ctx: StepContext) -> None:
    doc = through("scale_up_green", world, ctx)
    ctx.task_token = None

    with pytest.raises(DeployInputError, match="task_token"):
        run("await_green", doc, ctx)


# traffic and the end -----------------------------------------------------------------------------


def test_shift_traffic_moves_everything_to_green_and_records_it(
    world: Any, ctx: StepContext, store: Store
) -> None:
    doc = through("shift_traffic", world, ctx)

    assert weights(world) == {world.blue_tg: 0, world.green_tg: 100}
    assert doc["step_index"] == 0  # the step it is on; analyse moves to the next
    record = store.get_deploy("d1")
    assert record is not None and record["weights"] == {world.blue_tg: 0, world.green_tg: 100}
    assert record is not None and record["weight_history"][-1]["weights"] == {
        world.blue_tg: 0,
        world.green_tg: 100,
    }


def test_finalize_makes_green_live_and_the_deploy_succeeded(
    world: Any, ctx: StepContext, store: Store
) -> None:
    doc = through("finalize", world, ctx)

    app = store.get_application("prod", "web")
    record = store.get_deploy("d1")
    tags = boto3.client("ecs").list_tags_for_resource(resourceArn=doc["green"]["service_arn"])["tags"]
    assert app is not None and app.live_slot == "web-green"
    assert record is not None and record["status"] == "SUCCEEDED"
    assert {"key": "fargate-ops:role", "value": "live"} in tags


def test_release_lease_gives_the_lease_back(world: Any, ctx: StepContext, store: Store) -> None:
    doc = through("finalize", world, ctx)

    run("release_lease", doc, ctx)

    assert store.lease("prod", "web") is None


def test_scale_down_old_empties_the_old_slot_after_the_window(
    world: Any, ctx: StepContext, store: Store
) -> None:
    doc = run("release_lease", through("finalize", world, ctx), ctx)

    doc = run("scale_down_old", doc, ctx)

    assert doc["old_scaled_down"] is True
    assert service("web-blue")["desiredCount"] == 0
    assert store.lease("prod", "web") is None


def test_scale_down_old_leaves_the_slot_to_a_later_deploy(world: Any, ctx: StepContext, store: Store) -> None:
    doc = run("release_lease", through("finalize", world, ctx), ctx)
    later = {
        "deploy_id": "d2",
        "cluster": "prod",
        "application": "web",
        "change": {"images": {"app": "web:1.4.3"}},
    }
    run("acquire_lease", run("plan", later, ctx), ctx)

    doc = run("scale_down_old", doc, ctx)

    assert doc["old_scaled_down"] is False
    assert service("web-blue")["desiredCount"] == 2


def test_notify_publishes_the_outcome_even_for_an_invalid_input(
    world: Any, ctx: StepContext, api_calls: Callable[[str], Counter[str]]
) -> None:
    calls = api_calls("sns")
    rejected = {"deploy_id": "d1", "change": {}, "failure": {"Error": "DeployInputError", "Cause": "{}"}}

    assert run("notify", rejected, ctx) == rejected
    assert calls["Publish"] == 1


def test_an_unknown_step_is_refused(ctx: StepContext) -> None:
    with pytest.raises(UnknownStepError):
        run("promote", {}, ctx)


# rollback ----------------------------------------------------------------------------------------


def crash_loop_failure() -> dict[str, str]:
    return {"Error": "GreenCrashLoopError", "Cause": '{"service": "web-green"}'}


def test_rollback_puts_traffic_back_scales_green_to_zero_and_explains_why(
    world: Any, ctx: StepContext, store: Store
) -> None:
    doc = through("shift_traffic", world, ctx)
    wait = store.get_wait("prod", "web-green", consistent=True)
    assert wait is not None
    stop = {"task_arn": "t1", "stop_code": "EssentialContainerExited", "exit_codes": {"app": 1}}
    store.record_stop(wait, event_key="TASK#t1#1", expires_at=1, stop=stop)

    doc = run("rollback", {**doc, "failure": crash_loop_failure()}, ctx)

    assert weights(world) == {world.blue_tg: 100, world.green_tg: 0}
    assert service("web-green")["desiredCount"] == 0
    assert doc["status"] == "ROLLED_BACK"
    assert doc["rollback_reason"]["stops"] == [stop]
    record = store.get_deploy("d1")
    assert record is not None and record["status"] == "ROLLED_BACK"
    assert record["rollback_reason"]["error"] == "GreenCrashLoopError"
    assert store.get_wait("prod", "web-green", consistent=True) is None


def test_rollback_after_finalize_points_the_record_back_at_the_old_live_slot(
    world: Any, ctx: StepContext, store: Store
) -> None:
    doc = through("finalize", world, ctx)

    run("rollback", {**doc, "failure": {"Error": "ThrottlingError", "Cause": "{}"}}, ctx)

    app = store.get_application("prod", "web")
    assert app is not None and app.live_slot == "web-blue"


def test_rollback_without_the_lease_touches_nothing(world: Any, ctx: StepContext, store: Store) -> None:
    doc = through("shift_traffic", world, ctx)
    store.release_lease("prod", "web", "d1")
    store.acquire_lease(
        "prod", "web", "other", now=clock.now_epoch(), lease_expires_at=clock.now_epoch() + 600
    )

    doc = run("rollback", {**doc, "failure": crash_loop_failure()}, ctx)

    assert doc["status"] == "FAILED"
    assert weights(world) == {world.blue_tg: 0, world.green_tg: 100}
    assert service("web-green")["desiredCount"] == 2
