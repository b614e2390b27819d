"""The reconciler against moto: a deploy execution that ended without its own ending (reconciler.py)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from fargate_ops import clock
from fargate_ops.aws.store import LEASE_HELD_UNTIL_RELEASED, Store
from fargate_ops.deploy import run_step
from fargate_ops.deploy.context import StepContext
from fargate_ops.reconciler import reconcile
from tests.adapters.conftest import FakeStepFunctions
from tests.adapters.test_deploy_steps import green_runs_and_serves

EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:deploy:d1"
SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "events"
    / "aws"
    / "stepfunctions-execution-status-change-failed.json"
)


@dataclass
class EndedExecutions(FakeStepFunctions):
    """DescribeExecution's answer: how the execution really is."""

    status: str = "ABORTED"
    asked: list[str] = field(default_factory=list)

    def execution_summary(self, execution_arn: str) -> dict[str, Any]:
        self.asked.append(execution_arn)
        return {"status": self.status, "error": "OperatorStopped", "cause": "from the console"}


@pytest.fixture
def sfn() -> EndedExecutions:
    return EndedExecutions()


@pytest.fixture(autouse=True)
def fixed_clock() -> None:
    clock.set_time_source(lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp())


def ended(status: str = "ABORTED", execution: str = EXECUTION) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(SAMPLE.read_text())
    event["detail"].update(
        executionArn=execution, name="d1", status=status, input=json.dumps({"deploy_id": "d1"})
    )
    return event


def shifted_to_ten_percent(world: Any, ctx: StepContext) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "deploy_id": "d1",
        "cluster": "prod",
        "application": "web",
        "slots": ["web-blue", "web-green"],
        "listener_arn": world.listener_arn,
        "change": {"images": {"app": "web:1.4.2"}},
        "strategy": {"type": "canary", "percent": 10, "bake": "5m"},
    }
    ctx.sfn.start(EXECUTION, doc)  # type: ignore[attr-defined]  # the steps check their execution
    for step in ("plan", "acquire_lease", "register_task_definition", "scale_up_green", "shift_traffic"):
        with green_runs_and_serves(ctx) if step == "shift_traffic" else nullcontext():
            doc = run_step({"step": step, "deploy": doc, "execution": EXECUTION}, ctx)
    return doc


def healthy(target_group: str) -> None:
    boto3.client("elbv2").register_targets(TargetGroupArn=target_group, Targets=[{"Id": "10.0.1.10"}])


def weights(world: Any) -> dict[str, int]:
    actions = boto3.client("elbv2").describe_listeners(ListenerArns=[world.listener_arn])["Listeners"][0]
    groups = actions["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    return {g["TargetGroupArn"]: g["Weight"] for g in groups}


def test_a_stopped_deploy_gets_traffic_back_on_blue_a_final_record_and_a_free_lease_once(
    world: Any, ctx: StepContext, store: Store, api_calls: Callable[[str], Counter[str]]
) -> None:
    shifted_to_ten_percent(world, ctx)
    healthy(world.blue_tg)
    published = api_calls("sns")

    first = reconcile(ended(), ctx)
    again = reconcile(ended(), ctx)  # EventBridge delivers at least once

    assert first["outcome"].startswith("acted:") and again["outcome"].startswith(
        "ignored: the record is final"
    )
    assert weights(world) == {world.blue_tg: 100, world.green_tg: 0}
    record = store.get_deploy("d1")
    assert record is not None and record["status"] == "ROLLED_BACK"
    assert record["rollback_reason"]["recovered"]["execution"]["status"] == "ABORTED"
    assert store.lease("prod", "web") is None
    assert published["Publish"] == 1


def test_an_event_for_an_execution_still_running_changes_nothing(
    world: Any, ctx: StepContext, store: Store, sfn: EndedExecutions
) -> None:
    shifted_to_ten_percent(world, ctx)
    healthy(world.blue_tg)
    sfn.status = "RUNNING"  # a forged or early event: Step Functions says otherwise

    result = reconcile(ended("FAILED"), ctx)

    assert result["outcome"] == "ignored: the execution is still running"
    assert weights(world) == {world.blue_tg: 90, world.green_tg: 10}
    record = store.get_deploy("d1")
    assert record is not None and record["status"] == "RUNNING"


def test_an_event_of_another_execution_is_not_this_records(
    world: Any, ctx: StepContext, sfn: EndedExecutions
) -> None:
    shifted_to_ten_percent(world, ctx)

    result = reconcile(ended(execution=EXECUTION + "-other"), ctx)

    assert result["outcome"] == "ignored: the record belongs to another execution" and not sfn.asked


def test_with_no_slot_healthy_traffic_stays_split_and_the_lease_is_held_until_an_operator_recovers(
    world: Any, ctx: StepContext, store: Store
) -> None:
    shifted_to_ten_percent(world, ctx)  # no target is registered: neither slot can be told healthy

    result = reconcile(ended("TIMED_OUT"), ctx)

    assert result["status"] == "ROLLBACK_FAILED" and not result["lease_released"]
    assert weights(world) == {world.blue_tg: 90, world.green_tg: 10}
    lease = store.lease("prod", "web")
    assert lease is not None and lease.lease_expires_at == LEASE_HELD_UNTIL_RELEASED
