"""A deploy of a slot that follows a scaling schedule, against moto: green sized from what the schedule
wants now, the opt-in tag handed to green when it becomes live, the reconciler run at the deploy's end."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from fargate_ops import clients, clock
from fargate_ops.aws.store_scaling import ScalingStore
from fargate_ops.deploy.context import StepContext
from tests.adapters.conftest import REGION
from tests.adapters.test_deploy_steps import run, through

OFFICE = datetime(2026, 11, 24, 1, 0, tzinfo=UTC).timestamp()  # Tuesday 10:00 in Tokyo
NIGHT = datetime(2026, 11, 24, 14, 0, tzinfo=UTC).timestamp()
SCHEDULE = {
    "name": "office",
    "timezone": "Asia/Tokyo",
    "periods": [{"begin": "09:00", "end": "18:00", "weekdays": "mon-fri", "desired": 5}],
}
BLUE = f"arn:aws:ecs:{REGION}:123456789012:service/prod/web-blue"


@pytest.fixture
def scheduled(table: str, world: Any) -> None:
    ScalingStore(clients.client("dynamodb"), table).put_schedule(SCHEDULE, at="t", create=True)
    boto3.client("ecs", REGION).tag_resource(
        resourceArn=BLUE, tags=[{"key": "fargate-ops:schedule", "value": "office"}]
    )


@pytest.fixture(autouse=True)
def _clock() -> object:
    yield
    clock.set_time_source(None)


def desired(service: str) -> int:
    found = boto3.client("ecs", REGION).describe_services(cluster="prod", services=[service])["services"][0]
    return int(found["desiredCount"])


def tags(service: str) -> dict[str, str]:
    found = boto3.client("ecs", REGION).describe_services(
        cluster="prod", services=[service], include=["TAGS"]
    )
    return {t["key"]: t["value"] for t in found["services"][0].get("tags", [])}


@pytest.mark.usefixtures("scheduled")
def test_green_is_sized_from_the_window_open_now_not_from_the_live_count(
    world: Any, ctx: StepContext
) -> None:
    clock.set_time_source(lambda: OFFICE)  # the reconciler deferred: blue still runs 2

    doc = through("scale_up_green", world, ctx)

    assert (desired("web-blue"), desired("web-green")) == (2, 5)
    assert doc["schedule"] == "office"


@pytest.mark.usefixtures("scheduled")
def test_outside_every_window_without_a_default_green_gets_the_live_count(
    world: Any, ctx: StepContext
) -> None:
    clock.set_time_source(lambda: NIGHT)

    through("scale_up_green", world, ctx)

    assert desired("web-green") == 2


def test_without_a_schedule_nothing_changes(world: Any, ctx: StepContext) -> None:
    doc = through("finalize", world, ctx)

    assert desired("web-green") == 2 and doc.get("schedule") is None
    assert "fargate-ops:schedule" not in tags("web-green")


@pytest.mark.usefixtures("scheduled")
def test_the_new_live_slot_gets_the_opt_in_tag_and_the_deploys_end_runs_the_reconciler(
    world: Any, ctx: StepContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set_time_source(lambda: OFFICE)
    invoked: list[dict[str, Any]] = []

    class Lambda:
        def invoke(self, **request: Any) -> dict[str, Any]:
            invoked.append(request)
            return {"StatusCode": 202}

    factory = ctx.client_factory
    ctx.client_factory = lambda name: Lambda() if name == "lambda" else factory(name)
    ctx.settings = replace(ctx.settings, scaling_function_name="ops-scaling")

    doc = run("release_lease", through("finalize", world, ctx), ctx)

    assert tags("web-green")["fargate-ops:schedule"] == "office"
    assert [(r["FunctionName"], r["InvocationType"]) for r in invoked] == [("ops-scaling", "Event")]
    assert json.loads(invoked[0]["Payload"])["source"] == "deploy-end"
    assert "schedule office handed to the live slot" in doc["notes"]
