"""One reconcile run against moto: opt-in by tag, blue/green slots, the lease, saved capacity, idempotence."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from fargate_ops import clients, clock
from fargate_ops.aws.scaling import ScalingAdapter
from fargate_ops.aws.store import ApplicationRecord, Store
from fargate_ops.aws.store_scaling import ScalingStore
from fargate_ops.scaling.reconciler import Reconciler, ReconcileSettings
from tests.adapters.conftest import REGION, World

# Tuesday 2026-11-24 10:00 in Tokyo: inside office hours
OFFICE = datetime(2026, 11, 24, 1, 0, tzinfo=UTC).timestamp()
NIGHT = datetime(2026, 11, 24, 14, 0, tzinfo=UTC).timestamp()
SCHEDULE = {
    "name": "office",
    "timezone": "Asia/Tokyo",
    "periods": [{"begin": "09:00", "end": "18:00", "weekdays": "mon-fri", "desired": 5}],
}


@pytest.fixture
def reconciler(table: str, world: World) -> Reconciler:
    ScalingStore(clients.client("dynamodb"), table).put_schedule(SCHEDULE, at="t", create=True)
    aws = ScalingAdapter(
        clients.client("ecs"),
        clients.client("application-autoscaling"),
        clients.client("events"),
        clients.client("scheduler"),
    )
    settings = ReconcileSettings("fargate-ops:schedule", "edge", "arn:aws:iam::123456789012:role/edge")
    return Reconciler(
        aws,
        ScalingStore(clients.client("dynamodb"), table),
        Store(clients.client("dynamodb"), table),
        settings,
        None,
    )


def opt_in(service: str) -> None:
    boto3.client("ecs", REGION).tag_resource(
        resourceArn=f"arn:aws:ecs:{REGION}:123456789012:service/prod/{service}",
        tags=[{"key": "fargate-ops:schedule", "value": "office"}],
    )


def desired(service: str) -> int:
    found = boto3.client("ecs", REGION).describe_services(cluster="prod", services=[service])["services"][0]
    return int(found["desiredCount"])


def at(epoch: float) -> None:
    clock.set_time_source(lambda: epoch)


@pytest.fixture(autouse=True)
def _clock() -> object:
    yield
    clock.set_time_source(None)


def test_only_a_service_with_the_opt_in_tag_is_scaled(reconciler: Reconciler) -> None:
    opt_in("web-blue")
    at(OFFICE)
    report = reconciler.run(lambda: ["prod"])
    assert (desired("web-blue"), desired("web-green")) == (5, 0)
    assert report.services == 1 and [a["service"] for a in report.actions] == ["web-blue"]


def test_a_second_run_writes_nothing_and_the_windows_end_restores_what_was_saved(
    reconciler: Reconciler,
) -> None:
    opt_in("web-blue")
    at(OFFICE)
    reconciler.run(lambda: ["prod"])
    assert reconciler.run(lambda: ["prod"]).actions == []
    at(NIGHT)  # no default: outside the window the service gets back what it had (2)
    report = reconciler.run(lambda: ["prod"])
    assert desired("web-blue") == 2 and report.actions[0]["action"] == "restore"


def test_a_slot_is_left_alone_while_a_deploy_holds_the_lease_and_the_idle_slot_always(
    reconciler: Reconciler, store: Store, world: World
) -> None:
    for slot in ("web-blue", "web-green"):
        opt_in(slot)
    at(OFFICE)
    store.begin_deploy(
        cluster="prod",
        application="web",
        deploy_id="d1",
        execution="e1",
        now=OFFICE,
        lease_seconds=600,
        deploy_record={"deploy_id": "d1", "status": "RUNNING"},
        new_application=ApplicationRecord(
            "prod", "web", ("web-blue", "web-green"), world.listener_arn, live_slot="web-blue"
        ),
        slots=("web-blue", "web-green"),
        routes=(world.listener_arn,),
    )
    held = reconciler.run(lambda: ["prod"])
    assert held.actions == [] and len(held.deferred) == 2 and desired("web-blue") == 2
    store.release_lease("prod", "web", "d1")
    freed = reconciler.run(lambda: ["prod"])
    assert [a["service"] for a in freed.actions] == ["web-blue"]  # the live slot only
    assert (desired("web-blue"), desired("web-green")) == (5, 0)
