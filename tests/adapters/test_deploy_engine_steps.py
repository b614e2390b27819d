"""The deploy engine's steps against moto: waits and their tokens, analysis, alarms, adoption, controls."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from fargate_ops import clock
from fargate_ops.aws.cloudwatch import CloudWatchAdapter
from fargate_ops.aws.store import Store
from fargate_ops.deploy import run_step
from fargate_ops.deploy.context import StepContext
from fargate_ops.domain.analysis import load_balancer_dimension, target_group_dimension
from fargate_ops.errors import (
    AlarmFiringError,
    AnalysisFailedError,
    AnalysisInconclusiveError,
    DeployInputError,
    LeaseHeldError,
    MetricsNotReadyError,
    PreflightError,
)
from fargate_ops.models.events import parse_event
from fargate_ops.reactions.pipeline import react
from fargate_ops.reactions.reactor import Reactor
from fargate_ops.settings import Settings

EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:deploy:d1"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp()
MUTATING_PREFIXES = (
    "Create",
    "Update",
    "Modify",
    "Put",
    "Delete",
    "Register",
    "Tag",
    "Transact",
    "Send",
    "Publish",
)


@pytest.fixture(autouse=True)
def fixed_clock() -> None:
    clock.set_time_source(lambda: NOW)


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
        "strategy": {"type": "canary", "percent": 10, "bake": "5m"},
        **changes,
    }


def through(last: str, world: Any, ctx: StepContext, **changes: Any) -> dict[str, Any]:
    doc = first_input(world, **changes)
    for step in ("plan", "acquire_lease", "register_task_definition", "scale_up_green", "shift_traffic"):
        doc = run(step, doc, ctx)
        if step == last:
            return doc
    raise AssertionError(last)


def weights(arn: str) -> dict[str, int]:
    elb = boto3.client("elbv2")
    if ":listener-rule/" in arn:
        actions = elb.describe_rules(RuleArns=[arn])["Rules"][0]["Actions"]
    else:
        actions = elb.describe_listeners(ListenerArns=[arn])["Listeners"][0]["DefaultActions"]
    return {g["TargetGroupArn"]: g["Weight"] for g in actions[0]["ForwardConfig"]["TargetGroups"]}


def alarm(name: str, state: str = "OK") -> None:
    cloudwatch = boto3.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/ApplicationELB",
        MetricName="HTTPCode_Target_5XX_Count",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=5,
        ComparisonOperator="GreaterThanThreshold",
    )
    cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason=f"set to {state} by the test")


def count_mutations(services: list[str], api_calls: Callable[[str], Counter[str]]) -> Callable[[], list[str]]:
    counters = {service: api_calls(service) for service in services}

    def mutations() -> list[str]:
        return [
            f"{service}:{name}"
            for service, counter in counters.items()
            for name in counter
            if name.startswith(MUTATING_PREFIXES)
        ]

    return mutations


# pre-flight: refusals change nothing ---------------------------------------------------------------


def test_a_watched_alarm_already_in_alarm_refuses_the_deploy_without_a_single_mutating_call(
    world: Any, ctx: StepContext, api_calls: Callable[[str], Counter[str]]
) -> None:
    alarm("web-5xx", "ALARM")
    mutations = count_mutations(["ecs", "elbv2", "dynamodb", "cloudwatch", "sns"], api_calls)

    with pytest.raises(PreflightError, match="already in ALARM: web-5xx"):
        run("plan", first_input(world, alarms=["web-5xx"]), ctx)

    assert mutations() == []


def test_ignore_alarms_starts_anyway_and_says_so(world: Any, ctx: StepContext) -> None:
    alarm("web-5xx", "ALARM")

    doc = run("plan", first_input(world, alarms=["web-5xx"], ignore_alarms=True), ctx)

    assert any("ignore_alarms" in note for note in doc["notes"])


def test_an_alarm_that_does_not_exist_is_a_bad_input(world: Any, ctx: StepContext) -> None:
    with pytest.raises(DeployInputError) as caught:
        run("plan", first_input(world, alarms=["nope"]), ctx)

    assert caught.value.field == "alarms"


def test_a_deploy_while_another_runs_is_refused_naming_it_before_anything_else(
    world: Any, ctx: StepContext, api_calls: Callable[[str], Counter[str]]
) -> None:
    through("acquire_lease", world, ctx)
    mutations = count_mutations(["ecs", "elbv2", "dynamodb"], api_calls)

    with pytest.raises(LeaseHeldError, match="being deployed by d1"):
        run("plan", first_input(world, deploy_id="d2"), ctx)

    assert mutations() == []


def test_a_test_listener_must_forward_to_both_slots(world: Any, ctx: StepContext) -> None:
    boto3.client("elbv2").modify_rule(
        RuleArn=world.rule_arn, Actions=[{"Type": "forward", "TargetGroupArn": world.blue_tg}]
    )

    with pytest.raises(PreflightError, match="test listener"):
        run("plan", first_input(world, test_listener_arn=world.rule_arn), ctx)


# the record and the waits ----------------------------------------------------------------------------


def test_the_record_starts_with_the_plan_the_weights_and_both_slots(
    world: Any, ctx: StepContext, store: Store
) -> None:
    through("acquire_lease", world, ctx)

    record = store.get_deploy("d1")
    assert record is not None
    assert record["steps"] == [
        {"percent": 10, "bake_seconds": 300, "gate": None},
        {"percent": 100, "bake_seconds": 0, "gate": None},
    ]
    assert record["step_index"] == 0 and record["analysis"] == []
    assert record["weights"] == {world.blue_tg: 100, world.green_tg: 0}
    assert (record["live"]["service"], record["green"]["service"]) == ("web-blue", "web-green")


def test_a_bake_parks_its_token_in_the_record_and_on_green_and_keeps_the_evidence(
    world: Any, ctx: StepContext, store: Store
) -> None:
    doc = through("shift_traffic", world, ctx)
    ctx.task_token = "token-ready"
    run("await_green", doc, ctx)
    wait = store.get_wait("prod", "web-green", consistent=True)
    assert wait is not None
    store.record_stop(wait, event_key="TASK#t1#1", expires_at=1, stop={"task_arn": "t1"})
    ctx.task_token = "token-bake"

    run("bake", doc, ctx)

    record = store.get_deploy("d1")
    assert record is not None
    assert record["waiting"] == {
        "kind": "bake",
        "token": "token-bake",
        "step_index": 0,
        "since": clock.iso(NOW),
        "timeout_at": clock.iso(NOW + 300),
    }
    baking = store.get_wait("prod", "web-green", consistent=True)
    assert baking is not None and (baking.task_token, baking.awaiting) == ("token-bake", "bake")
    assert baking.abnormal_stops == 1 and baking.stops == ({"task_arn": "t1"},)


def test_a_bake_does_not_start_while_a_watched_alarm_fires(
    world: Any, ctx: StepContext, store: Store
) -> None:
    alarm("web-5xx")
    doc = through("shift_traffic", world, ctx, alarms=["web-5xx"])
    boto3.client("cloudwatch").set_alarm_state(AlarmName="web-5xx", StateValue="ALARM", StateReason="5xx")

    with pytest.raises(AlarmFiringError, match="web-5xx"):
        run("bake", doc, ctx)

    record = store.get_deploy("d1")
    assert record is not None and "waiting" not in record


def _alarm_changed_at(name: str, when: float) -> None:
    """Stamp the alarm's last state change (moto stamps real time; these tests run on a fixed clock)."""
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    backend = cloudwatch_backends[DEFAULT_ACCOUNT_ID][boto3.session.Session().region_name or "us-east-1"]
    backend.alarms[name].state_updated_timestamp = datetime.fromtimestamp(when, UTC).replace(tzinfo=None)


def test_with_ignore_alarms_a_bake_starts_while_an_alarm_fires_that_fired_before_the_deploy(
    world: Any, ctx: StepContext
) -> None:
    alarm("web-5xx", "ALARM")
    _alarm_changed_at("web-5xx", NOW - 600)
    doc = through("shift_traffic", world, ctx, alarms=["web-5xx"], ignore_alarms=True)

    ctx.task_token = "token-bake"
    doc = run("bake", doc, ctx)

    assert doc["step_index"] == 0


def test_with_ignore_alarms_an_alarm_that_went_to_alarm_during_the_deploy_still_stops_the_bake(
    world: Any, ctx: StepContext
) -> None:
    alarm("web-5xx", "ALARM")
    _alarm_changed_at("web-5xx", NOW - 600)
    alarm("web-latency")
    doc = through("shift_traffic", world, ctx, alarms=["web-5xx", "web-latency"], ignore_alarms=True)
    boto3.client("cloudwatch").set_alarm_state(
        AlarmName="web-latency", StateValue="ALARM", StateReason="slow"
    )
    _alarm_changed_at("web-latency", NOW + 1)
    ctx.task_token = "token-bake"

    with pytest.raises(AlarmFiringError, match="web-latency") as raised:
        run("bake", doc, ctx)

    assert "web-5xx" not in str(raised.value)


def test_the_step_after_a_wait_removes_it_from_the_record(world: Any, ctx: StepContext, store: Store) -> None:
    doc = through("shift_traffic", world, ctx)
    run("bake", doc, ctx)

    run("analyse", {**doc, "bake_result": {"action": "timeout"}}, ctx)

    record = store.get_deploy("d1")
    assert record is not None and "waiting" not in record and record["step_index"] == 1


# analysis ------------------------------------------------------------------------------------------


def publish(
    world: Any, target_group: str, requests: int, errors: int, latency: float, minutes: int = 5
) -> None:
    """A target group's minutes as ALB publishes them, the load balancer's RequestCount with them."""
    lb_dims = [{"Name": "LoadBalancer", "Value": load_balancer_dimension(world.listener_arn)}]
    dims = [{"Name": "TargetGroup", "Value": target_group_dimension(target_group)}, *lb_dims]
    data = []
    for minute in range(minutes):
        at = datetime.fromtimestamp(NOW + 60 * minute, UTC)
        data += [
            {"MetricName": "RequestCount", "Dimensions": lb_dims, "Timestamp": at, "Value": requests},
            {"MetricName": "RequestCount", "Dimensions": dims, "Timestamp": at, "Value": requests},
            {"MetricName": "HTTPCode_Target_5XX_Count", "Dimensions": dims, "Timestamp": at, "Value": errors},
            {
                "MetricName": "TargetResponseTime",
                "Dimensions": dims,
                "Timestamp": at,
                "StatisticValues": {
                    "SampleCount": requests,
                    "Sum": requests * latency,
                    "Minimum": latency,
                    "Maximum": latency,
                },
            },
        ]
    boto3.client("cloudwatch").put_metric_data(Namespace="AWS/ApplicationELB", MetricData=data)


def test_the_metrics_adapter_sums_a_window_per_target_group_and_names_the_minutes_it_has(world: Any) -> None:
    publish(world, world.green_tg, requests=120, errors=6, latency=0.05, minutes=4)
    publish(world, world.blue_tg, requests=1080, errors=0, latency=0.02, minutes=4)

    metrics = CloudWatchAdapter(boto3.client("cloudwatch")).window_metrics(
        load_balancer_dimension(world.listener_arn),
        {"green": target_group_dimension(world.green_tg), "blue": target_group_dimension(world.blue_tg)},
        start=int(NOW),
        end=int(NOW) + 300,
    )

    green, blue = metrics.stats["green"], metrics.stats["blue"]
    assert (green.requests, green.errors_5xx) == (480, 24)
    assert green.latency_seconds == pytest.approx(0.05)
    assert (blue.requests, blue.errors_5xx) == (4320, 0)
    assert metrics.minutes_seen == {int(NOW) + 60 * m for m in range(4)}  # the fifth is not in yet


def analysed(
    world: Any,
    ctx: StepContext,
    bake_result: dict[str, Any],
    *,
    bake_ended: float = NOW + 300,
    **analysis: Any,
) -> dict[str, Any]:
    """The analysis of a 5-minute bake from NOW, run at the clock's time (default: the bake's end)."""
    options = {"max_5xx_rate_delta": 0.01, "min_requests": 100, **analysis}
    doc = through("shift_traffic", world, ctx, analysis=options)
    ctx.state_entered_at = clock.iso(bake_ended)
    if clock.now_epoch() < bake_ended:
        clock.set_time_source(lambda: bake_ended)
    return run("analyse", {**doc, "step_started_at": NOW, "bake_result": bake_result}, ctx)


def published(world: Any, minutes: int = 5, green_requests: int = 120) -> None:
    publish(world, world.green_tg, requests=green_requests, errors=0, latency=0.02, minutes=minutes)
    publish(world, world.blue_tg, requests=1080, errors=0, latency=0.02, minutes=minutes)


def test_an_analysis_whose_window_is_not_all_in_cloudwatch_yet_asks_to_run_again(
    world: Any, ctx: StepContext, store: Store
) -> None:
    published(world, minutes=4)

    with pytest.raises(MetricsNotReadyError) as caught:
        analysed(world, ctx, {"action": "timeout"})

    assert "no load balancer datapoint yet for 09:04 of the window 09:00-09:05" in str(caught.value)
    record = store.get_deploy("d1")
    assert record is not None and record["analysis"] == [] and record["step_index"] == 0


def test_once_the_window_is_in_the_analysis_says_how_long_it_waited(world: Any, ctx: StepContext) -> None:
    published(world)
    clock.set_time_source(lambda: NOW + 300 + 180)

    doc = analysed(world, ctx, {"action": "timeout"})

    entry = doc["analysis_results"][0]
    assert entry["verdict"] == "pass" and entry["data"]["waited_seconds"] == 180
    assert entry["window"] == {"start": "2026-01-05T09:00:00Z", "end": "2026-01-05T09:05:00Z", "minutes": 5}


def test_past_its_wait_an_incomplete_window_is_inconclusive_and_rolls_back_by_default(
    world: Any, ctx: StepContext, store: Store
) -> None:
    published(world, minutes=4)
    clock.set_time_source(lambda: NOW + 300 + 300)

    with pytest.raises(AnalysisInconclusiveError) as caught:
        analysed(world, ctx, {"action": "timeout"})

    evidence = json.loads(str(caught.value))
    assert evidence["verdict"] == "inconclusive" and evidence["policy"] == "fail"
    assert evidence["data"]["missing_minutes"] == ["2026-01-05T09:04:00Z"]
    record = store.get_deploy("d1")
    assert record is not None and record["analysis"][0]["verdict"] == "inconclusive"
    assert record["step_index"] == 0


def test_an_inconclusive_step_whose_policy_is_pause_waits_for_an_approval_before_the_next(
    world: Any, ctx: StepContext, store: Store
) -> None:
    published(world, minutes=4)
    clock.set_time_source(lambda: NOW + 600)

    doc = analysed(world, ctx, {"action": "timeout"}, inconclusive="pause")
    run("await_approval", doc, ctx)

    assert doc["step_index"] == 1 and doc["pause"]["step_index"] == 0
    record = store.get_deploy("d1")
    assert record is not None and record["waiting"]["kind"] == "approval"
    assert record["waiting"]["reason"].startswith("inconclusive: after waiting 300s")


def test_an_inconclusive_step_whose_policy_is_pass_goes_on_recorded_as_inconclusive(
    world: Any, ctx: StepContext
) -> None:
    published(world, minutes=4)
    clock.set_time_source(lambda: NOW + 600)

    doc = analysed(world, ctx, {"action": "timeout"}, inconclusive="pass")

    assert doc["step_index"] == 1
    assert [(a["verdict"], a["policy"]) for a in doc["analysis_results"]] == [("inconclusive", "pass")]


def test_a_complete_window_without_a_green_request_is_skipped_never_passed(
    world: Any, ctx: StepContext
) -> None:
    publish(world, world.blue_tg, requests=1200, errors=0, latency=0.02)

    doc = analysed(world, ctx, {"action": "timeout"}, min_requests=0)

    assert [a["verdict"] for a in doc["analysis_results"]] == ["skipped"]


def test_a_green_worse_than_blue_fails_the_step_with_the_numbers_recorded(
    world: Any, ctx: StepContext, store: Store
) -> None:
    publish(world, world.green_tg, requests=120, errors=6, latency=0.02)
    publish(world, world.blue_tg, requests=1080, errors=0, latency=0.02)

    with pytest.raises(AnalysisFailedError) as caught:
        analysed(world, ctx, {"action": "timeout"})

    evidence = json.loads(str(caught.value))
    assert evidence["verdict"] == "fail" and evidence["green"]["errors_5xx"] == 30
    record = store.get_deploy("d1")
    assert record is not None and record["analysis"][0]["verdict"] == "fail" and record["step_index"] == 0


def test_a_green_as_good_as_blue_passes_and_moves_to_the_next_step(world: Any, ctx: StepContext) -> None:
    publish(world, world.green_tg, requests=120, errors=0, latency=0.02)
    publish(world, world.blue_tg, requests=1080, errors=1, latency=0.02)

    doc = analysed(world, ctx, {"action": "timeout"})

    assert doc["step_index"] == 1
    assert [a["verdict"] for a in doc["analysis_results"]] == ["pass"]


def test_promote_full_skips_the_analysis_and_every_remaining_step(world: Any, ctx: StepContext) -> None:
    doc = through(
        "shift_traffic", world, ctx, strategy={"type": "linear", "step_percent": 10, "interval": 600}
    )

    doc = run("analyse", {**doc, "bake_result": {"action": "promote", "full": True}}, ctx)

    assert doc["step_index"] == 9 and doc["steps"][9]["percent"] == 100
    assert doc["analysis_results"][0]["verdict"] == "skipped"
    assert doc["analysis_results"][0]["promoted"] == "full"


# scale with traffic ----------------------------------------------------------------------------------


def test_green_starts_at_its_first_share_and_waits_to_be_ready_before_a_bigger_one(
    world: Any, ctx: StepContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    strategy = {"type": "steps", "steps": [{"percent": 50, "bake": 60}, {"percent": 100}]}
    doc = through("scale_up_green", world, ctx, strategy=strategy, scale_with_traffic=True)
    assert doc["green"]["desired_count"] == 1  # ceil(2 * 50%)
    monkeypatch.setattr(ctx.elbv2, "healthy_targets", lambda *_: 0)

    doc = run("shift_traffic", doc, ctx)

    assert doc["pending_ready"] is True
    assert weights(world.listener_arn) == {world.blue_tg: 100, world.green_tg: 0}


# adoption --------------------------------------------------------------------------------------------


def test_a_single_service_is_adopted_by_cloning_it_onto_the_listeners_other_target_group(
    world: Any, ctx: StepContext, store: Store
) -> None:
    boto3.client("ecs").delete_service(cluster="prod", service="web-green", force=True)

    doc = run("plan", first_input(world, slots=["web-blue"]), ctx)
    assert doc["adopt_create"] is True and doc["slots"] == ["web-blue", "web-blue-green"]
    doc = run("create_green_slot", run("acquire_lease", doc, ctx), ctx)

    created = boto3.client("ecs").describe_services(
        cluster="prod", services=["web-blue-green"], include=["TAGS"]
    )["services"][0]
    assert created["desiredCount"] == 0 and created["launchType"] == "FARGATE"
    assert created["loadBalancers"][0]["targetGroupArn"] == world.green_tg
    assert created["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == [world.subnet]
    assert doc["green"]["service_arn"] == created["serviceArn"]
    app = store.get_application("prod", "web")
    assert app is not None and app.slots == ("web-blue", "web-blue-green")


def test_adopting_when_the_second_slot_exists_already_is_refused(world: Any, ctx: StepContext) -> None:
    boto3.client("ecs").create_service(cluster="prod", serviceName="web-blue-green", desiredCount=0)

    with pytest.raises(PreflightError, match="web-blue-green already exists"):
        run("plan", first_input(world, slots=["web-blue"]), ctx)


def test_adopt_with_both_slots_existing_is_an_ordinary_first_deploy(world: Any, ctx: StepContext) -> None:
    doc = run("plan", first_input(world, adopt=True), ctx)

    assert doc["adopt_create"] is False and doc["green"]["service"] == "web-green"


# rollbacks -------------------------------------------------------------------------------------------


def test_a_rollback_gives_the_test_listener_its_weights_back(world: Any, ctx: StepContext) -> None:
    doc = through("scale_up_green", world, ctx, test_listener_arn=world.rule_arn)
    doc = run("route_test_traffic", doc, ctx)
    assert weights(world.rule_arn) == {world.blue_tg: 0, world.green_tg: 100}

    run(
        "rollback",
        {**doc, "failure": {"Error": "SmokeFailed", "Cause": "{}", "State": "ValidationHook"}},
        ctx,
    )

    assert weights(world.rule_arn) == {world.blue_tg: 100, world.green_tg: 0}


def test_a_manual_rollback_in_the_window_puts_everything_back_on_the_warm_slot(
    world: Any, ctx: StepContext, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    describe = ctx.ecs.describe_service  # moto runs no task: say the warm slot runs its two
    monkeypatch.setattr(ctx.ecs, "describe_service", lambda *a: replace(describe(*a), running_count=2))
    doc = first_input(world, strategy="all-at-once")
    steps = (
        "plan",
        "acquire_lease",
        "register_task_definition",
        "scale_up_green",
        "shift_traffic",
        "finalize",
    )
    for step in (*steps, "release_lease", "rollback_window"):
        doc = run(step, doc, ctx)
    record = store.get_deploy("d1")
    assert record is not None and record["waiting"]["kind"] == "rollback_window"

    doc = run("manual_rollback", {**doc, "window_result": {"action": "rollback"}}, ctx)

    assert weights(world.listener_arn) == {world.blue_tg: 100, world.green_tg: 0}
    record = store.get_deploy("d1")
    assert record is not None and record["status"] == "ROLLED_BACK" and "waiting" not in record
    assert record["rollback_reason"]["summary"] == "manual rollback"
    app = store.get_application("prod", "web")
    assert app is not None and app.live_slot == "web-blue"
    assert store.lease("prod", "web") is None


# reactions to alarms and events during waits --------------------------------------------------------


@pytest.fixture
def reactor(settings: Settings, sfn: Any) -> Reactor:
    created = Reactor(settings)
    created.sfn = sfn  # type: ignore[assignment]
    return created


def deploy_side(raw: dict[str, Any], reactor: Reactor) -> str:
    """What the deploy side of the reactions did with one event (the handler's ``outcome``)."""
    return str(react(parse_event(raw), reactor).deploy_wait)


def alarm_event(name: str, event_id: str = "e-1", state: str = "ALARM") -> dict[str, Any]:
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": "123456789012",
        "time": "2026-01-05T09:02:00Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"],
        "detail": {
            "alarmName": name,
            "state": {
                "value": state,
                "reason": "Threshold Crossed: 24.0 > 5.0",
                "timestamp": "2026-01-05T09:02:00.000+0000",
            },
            "previousState": {"value": "OK"},
        },
    }


def test_a_watched_alarm_fails_the_bake_of_the_deploy_that_watches_it_once(
    world: Any, ctx: StepContext, reactor: Reactor, sfn: Any
) -> None:
    alarm("web-green-5xx")
    doc = through("shift_traffic", world, ctx, alarms=["web-green-5xx"])
    ctx.task_token = "token-bake"
    run("bake", doc, ctx)

    first = deploy_side(alarm_event("web-green-5xx"), reactor)
    again = deploy_side(alarm_event("web-green-5xx"), reactor)

    assert first == "alarm web-green-5xx: failed the wait of d1" and again == "duplicate"
    assert [(token, error) for token, error, _ in sfn.failures] == [("token-bake", "AlarmFiringError")]
    assert sfn.failures[0][2]["alarms"][0]["reason"] == "Threshold Crossed: 24.0 > 5.0"


def test_an_alarm_nobody_watches_costs_one_read(
    reactor: Reactor, api_calls: Callable[[str], Counter[str]]
) -> None:
    calls = api_calls("dynamodb")

    assert deploy_side(alarm_event("other"), reactor) == "ignored: no deploy watches the alarm"
    assert sum(calls.values()) == 1


def test_an_alarm_after_the_deploy_ended_fails_nothing(
    world: Any, ctx: StepContext, reactor: Reactor, sfn: Any
) -> None:
    alarm("web-green-5xx")
    doc = through("shift_traffic", world, ctx, alarms=["web-green-5xx"])
    run("finalize", doc, ctx)

    assert deploy_side(alarm_event("web-green-5xx"), reactor).startswith("ignored")
    assert sfn.failures == []


def test_green_steady_state_does_not_end_a_bake(
    world: Any, ctx: StepContext, reactor: Reactor, sfn: Any, load_event: Callable[[str], dict[str, Any]]
) -> None:
    doc = through("shift_traffic", world, ctx)
    ctx.task_token = "token-bake"
    run("bake", doc, ctx)
    steady = load_event("ecs-service-action-service-steady-state.json")
    steady["resources"] = [doc["green"]["service_arn"]]
    steady["time"] = "2026-01-05T09:03:00Z"
    steady["detail"]["createdAt"] = "2026-01-05T09:03:00.000Z"

    outcome = deploy_side(steady, reactor)

    assert outcome == "ignored: the wait on the service is not for readiness"
    assert sfn.successes == []


def test_a_registered_applications_idle_slot_the_cleanup_deleted_is_created_again_from_the_live_one(
    world: Any, ctx: StepContext, store: Store
) -> None:
    run("acquire_lease", run("plan", first_input(world), ctx), ctx)
    assert store.release_lease("prod", "web", "d1")
    boto3.client("ecs").delete_service(cluster="prod", service="web-green", force=True)

    doc = run("plan", first_input(world, deploy_id="d2", slots=None, listener_arn=None), ctx)
    assert doc["adopt_create"] is True and doc["green"]["service"] == "web-green"
    assert any("web-green was gone" in note for note in doc["notes"])
    doc = run("create_green_slot", run("acquire_lease", doc, ctx), ctx)

    created = boto3.client("ecs").describe_services(cluster="prod", services=["web-green"])["services"][0]
    assert created["status"] == "ACTIVE" and created["desiredCount"] == 0
    assert created["loadBalancers"][0]["targetGroupArn"] == world.green_tg


def test_a_registered_application_with_neither_slot_left_is_refused(
    world: Any, ctx: StepContext, store: Store
) -> None:
    run("acquire_lease", run("plan", first_input(world), ctx), ctx)
    assert store.release_lease("prod", "web", "d1")
    for name in ("web-blue", "web-green"):
        boto3.client("ecs").delete_service(cluster="prod", service=name, force=True)

    with pytest.raises(PreflightError, match="neither slot of web"):
        run("plan", first_input(world, deploy_id="d2"), ctx)
