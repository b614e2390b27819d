"""The cleanup over moto: the inventory is the whole account, a dry run changes nothing, mark then delete."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from fargate_ops.domain.inventory import MARK_TAG
from tests.adapters.conftest import status_of, tags_of

DAY = 86_400.0
ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:{}"


def run(handler: Any, **event: Any) -> dict[str, Any]:
    result: dict[str, Any] = handler("cleanup").lambda_handler({**event, "kinds": ["task-definition"]}, None)
    return result


def marked(result: dict[str, Any]) -> list[str]:
    return [a["resource"] for a in result["plan"]["actions"] if a["action"] == "mark"]


def test_a_dry_run_plans_marks_with_reasons_and_changes_nothing(
    handler: Any, env: Any, revisions: list[str], at: list[float]
) -> None:
    result = run(handler, apply=False, keep_revisions=5)

    assert result["dry_run"] is True
    assert sorted(marked(result)) == sorted(revisions[1:4])
    assert all("not among the newest 5" in a["reason"] for a in result["plan"]["actions"])
    assert all(MARK_TAG not in tags_of(arn) for arn in revisions)


def test_apply_marks_first_then_deletes_past_the_grace_period(
    handler: Any, env: Any, revisions: list[str], at: list[float]
) -> None:
    run(handler, apply=True, keep_revisions=5)
    assert all(MARK_TAG in tags_of(arn) for arn in revisions[1:4])
    assert [status_of(arn) for arn in revisions[1:4]] == ["ACTIVE"] * 3

    at[0] += 8 * DAY
    result = run(handler, apply=True, keep_revisions=5)

    assert result["applied"]["done"] == {"deregister task-definition": 3, "delete task-definition": 3}
    assert {status_of(arn) for arn in revisions[1:4]} <= {"DELETE_IN_PROGRESS", "GONE"}
    assert status_of(revisions[0]) == "ACTIVE"
    assert run(handler, apply=True, keep_revisions=5)["plan"]["actions"] == []


def test_a_revision_a_service_in_a_cluster_out_of_scope_runs_is_kept(
    handler: Any, env: Any, world: Any, revisions: list[str], at: list[float]
) -> None:
    ecs = boto3.client("ecs")
    ecs.create_cluster(clusterName="staging")
    ecs.create_service(cluster="staging", serviceName="web", taskDefinition=revisions[2], desiredCount=1)

    result = run(handler, apply=False, keep_revisions=5, clusters=["prod"])

    kept = {k["resource"]: k["reasons"] for k in result["plan"]["kept"]}
    assert revisions[2] not in marked(result)
    assert any("service staging/web" in reason for reason in kept[revisions[2]])


def test_a_revision_only_an_eventbridge_rule_or_a_schedule_starts_is_kept(
    handler: Any, env: Any, world: Any, revisions: list[str], at: list[float]
) -> None:
    cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
    role = "arn:aws:iam::123456789012:role/run"
    events = boto3.client("events")
    events.put_rule(Name="nightly", ScheduleExpression="rate(1 day)", State="DISABLED")
    events.put_targets(
        Rule="nightly",
        Targets=[
            {"Id": "t", "Arn": cluster, "RoleArn": role, "EcsParameters": {"TaskDefinitionArn": revisions[1]}}
        ],
    )
    boto3.client("scheduler").create_schedule(
        Name="report",
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": cluster, "RoleArn": role, "EcsParameters": {"TaskDefinitionArn": revisions[2]}},
    )

    result = run(handler, apply=False, keep_revisions=5)

    kept = {k["resource"]: " ".join(k["reasons"]) for k in result["plan"]["kept"]}
    assert "EventBridge rule nightly" in kept[revisions[1]] and "disabled" in kept[revisions[1]]
    assert "Scheduler schedule default/report" in kept[revisions[2]]
    assert marked(result) == [revisions[3]]


def test_a_guard_trip_changes_nothing(
    handler: Any, env: Any, revisions: list[str], at: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(handler, apply=True, keep_revisions=1)
    at[0] += 8 * DAY
    monkeypatch.setenv("CLEANUP_GUARD_MAX_COUNT", "3")

    result = run(handler, apply=True, keep_revisions=1)

    assert "more than the limit of 3" in result["plan"]["refused"]
    assert result["applied"]["done"] == {}
    assert all(status_of(arn) == "ACTIVE" for arn in revisions)


def test_a_run_out_of_time_stops_and_the_next_one_finishes_without_redoing(
    handler: Any, env: Any, revisions: list[str], at: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(handler, apply=True, keep_revisions=1)
    at[0] += 8 * DAY
    monkeypatch.setenv("CLEANUP_WRITES_PER_SECOND", "0.1")  # one deregistration every 10 s

    class Context:
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cleanup"
        deadline = at[0] + 20 + 35  # the handler keeps 20 s; enough for a few deregistrations

        def get_remaining_time_in_millis(self) -> int:
            return int((self.deadline - at[0]) * 1000)

    module = handler("cleanup")
    first = module.lambda_handler(
        {"apply": True, "keep_revisions": 1, "kinds": ["task-definition"]}, Context()
    )
    assert first["complete"] is False and first["continue_token"] is not None
    done_first = first["applied"]["done"]["deregister task-definition"]
    assert 0 < done_first < 7

    second = module.lambda_handler(
        {
            "apply": True,
            "keep_revisions": 1,
            "kinds": ["task-definition"],
            "continue": first["continue_token"],
        },
        None,
    )
    assert second["complete"] is True
    assert second["applied"]["done"]["deregister task-definition"] == 7 - done_first
    assert second["applied"]["done"]["delete task-definition"] == 7


def test_a_run_out_of_time_has_deleted_each_ten_it_deregistered_before_the_next(
    handler: Any, env: Any, world: Any, revisions: list[str], at: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    ecs = boto3.client("ecs")
    for n in range(10, 14):  # web:1 runs; web:2..web:12 are orphans, web:13 the newest
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": f"web:{n}", "memory": 8}]
        )
    run(handler, apply=True, keep_revisions=1)
    at[0] += 8 * DAY
    monkeypatch.setenv("CLEANUP_WRITES_PER_SECOND", "1")

    class Context:
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cleanup"
        deadline = at[0] + 20 + 10 + 10.5  # the handler keeps 20 s, stops 10 s early: 11 writes at 1/s

        def get_remaining_time_in_millis(self) -> int:
            return int((self.deadline - at[0]) * 1000)

    first = handler("cleanup").lambda_handler(
        {"apply": True, "keep_revisions": 1, "kinds": ["task-definition"]}, Context()
    )

    assert first["complete"] is False
    assert first["applied"]["done"]["delete task-definition"] == 10
    assert [status_of(ARN.format(n)) for n in range(2, 14)].count("INACTIVE") <= 10
