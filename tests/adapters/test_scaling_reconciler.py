"""One reconcile run against moto: opt-in by tag, blue/green slots, the lease, saved capacity, idempotence."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from fargate_ops import clients, clock
from fargate_ops.aws.scaling import ScalingAdapter
from fargate_ops.aws.scaling_traffic import TrafficReader
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
        clients.client("resourcegroupstaggingapi"),
    )
    settings = ReconcileSettings("fargate-ops:schedule", "edge", "arn:aws:iam::123456789012:role/edge")
    return Reconciler(
        aws,
        ScalingStore(clients.client("dynamodb"), table),
        Store(clients.client("dynamodb"), table),
        settings,
        None,
        traffic=lambda: TrafficReader(clients.client("elbv2")),
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


def many_services(count: int, world: World) -> list[str]:
    ecs = boto3.client("ecs", REGION)
    names = [f"api-{n:02d}" for n in range(count)]
    for name in names:
        ecs.create_service(
            cluster="prod",
            serviceName=name,
            taskDefinition=world.task_definition,
            desiredCount=1,
            tags=[{"key": "fargate-ops:schedule", "value": "office"}],
        )
    return names


def test_more_than_twenty_changed_services_get_their_status_tags_twenty_per_tagging_call(
    reconciler: Reconciler, world: World
) -> None:
    names = many_services(25, world)
    sizes: list[int] = []
    clients.client("resourcegroupstaggingapi").meta.events.register(
        "before-parameter-build.resource-groups-tagging-api.TagResources",
        lambda params, **_: sizes.append(len(params["ResourceARNList"])),
    )
    at(OFFICE)

    report = reconciler.run(lambda: ["prod"])

    assert len(report.actions) == 25 and report.errors == []
    assert sorted(sizes) == [5, 20]  # the 25 services get the same tags: two calls
    ecs = boto3.client("ecs", REGION)
    for name in names:
        arn = f"arn:aws:ecs:{REGION}:123456789012:service/prod/{name}"
        tags = {t["key"]: t["value"] for t in ecs.list_tags_for_resource(resourceArn=arn)["tags"]}
        assert tags["fargate-ops:scaling-error"] == "none"
        # "(" and ")" are no tag characters: dropped from the summary
        assert tags["fargate-ops:scaling-last-action"].endswith("scaled to desired 5 period periods.0")


def test_what_a_service_had_is_saved_durably_before_the_service_is_changed(
    reconciler: Reconciler, table: str, world: World
) -> None:
    names = many_services(30, world)  # more than one BatchWriteItem of saves
    reader = ScalingStore(boto3.client("dynamodb", REGION), table)
    saved_when_changed: dict[str, int | None] = {}

    def before_update(params: dict[str, Any], **_: Any) -> None:
        state = reader.get_state("prod", params["service"])
        saved_when_changed[params["service"]] = state.saved_desired if state else None

    clients.client("ecs").meta.events.register("before-parameter-build.ecs.UpdateService", before_update)
    at(OFFICE)

    reconciler.run(lambda: ["prod"])

    assert saved_when_changed == dict.fromkeys(names, 1)  # each had 1, saved before its UpdateService
    assert all(desired(name) == 5 for name in names)


def test_a_change_costs_its_write_and_a_share_of_the_batched_item_writes(
    reconciler: Reconciler, world: World, api_calls: Callable[[str], Counter[str]]
) -> None:
    many_services(30, world)
    dynamodb = api_calls("dynamodb")
    at(OFFICE)
    reconciler.run(lambda: ["prod"])
    # 30 saved states (2 calls), then 30 timeline entries (2 calls); no PutItem per change
    assert dynamodb["BatchWriteItem"] == 4 and dynamodb["PutItem"] == 0
    dynamodb.clear()
    at(NIGHT)  # back to what they had: a timeline entry and the forgotten save each, 60 items
    reconciler.run(lambda: ["prod"])
    assert dynamodb["BatchWriteItem"] == 3 and dynamodb["PutItem"] == 0


def test_before_the_first_deploy_an_opted_in_idle_slot_is_left_at_zero(reconciler: Reconciler) -> None:
    # Both slots carry the tag and no deploy has recorded them yet: the listener sends web-blue all
    # the traffic and web-green none, so web-green is the idle slot.
    for slot in ("web-blue", "web-green"):
        opt_in(slot)
    at(OFFICE)

    report = reconciler.run(lambda: ["prod"])

    assert [a["service"] for a in report.actions] == ["web-blue"]
    assert (desired("web-blue"), desired("web-green")) == (5, 0)


class _Answer:  # what a before-call handler returns in place of an HTTP response
    status_code = 200
    headers: dict[str, str] = {}  # noqa: RUF012 - mimics botocore's AWSResponse
    content = b""


def test_a_save_that_stays_unprocessed_leaves_its_services_unchanged_for_the_next_run(
    reconciler: Reconciler,
) -> None:
    opt_in("web-blue")
    asked: list[dict[str, Any]] = []
    dynamodb = clients.client("dynamodb").meta.events
    # Throttled throughout: every BatchWriteItem hands all its items back unprocessed.
    dynamodb.register(
        "before-parameter-build.dynamodb.BatchWriteItem", lambda params, **_: asked.append(params)
    )
    dynamodb.register(
        "before-call.dynamodb.BatchWriteItem",
        lambda **_: (_Answer(), {"UnprocessedItems": asked[-1]["RequestItems"]}),
    )
    clock.set_sleep(lambda seconds: None)
    at(OFFICE)
    try:
        report = reconciler.run(lambda: ["prod"])
    finally:
        clock.set_sleep(None)

    assert report.actions == [] and desired("web-blue") == 2  # not changed: nothing to restore was saved
    assert "saving what it had failed" in report.errors[0]["error"]
    assert len(asked) == 6  # the first try and five more, with back-off


def test_a_cluster_changes_are_announced_a_hundred_to_an_event_in_one_put_events_call(
    reconciler: Reconciler, world: World
) -> None:
    names = many_services(150, world)
    calls: list[list[dict[str, Any]]] = []
    clients.client("events").meta.events.register(
        "before-parameter-build.eventbridge.PutEvents", lambda params, **_: calls.append(params["Entries"])
    )
    at(OFFICE)

    reconciler.run(lambda: ["prod"])

    assert len(calls) == 1, "one call for the run's events, where one event per change took 15"
    details = [json.loads(entry["Detail"]) for entry in calls[0]]
    assert [entry["DetailType"] for entry in calls[0]] == ["Scaling Actions", "Scaling Actions"]
    assert [len(d["actions"]) for d in details] == [100, 50]
    assert {d["cluster"] for d in details} == {"prod"}
    assert sorted(a["service"] for d in details for a in d["actions"]) == sorted(names)


def test_put_events_calls_stay_under_ten_entries_and_256_kb() -> None:
    from fargate_ops.aws.scaling import _put_events_batches

    big = [{"Source": "fargate-ops", "DetailType": "x", "Detail": "d" * 60_000} for _ in range(9)]
    small = [{"Source": "fargate-ops", "DetailType": "x", "Detail": "{}"} for _ in range(12)]

    assert [len(b) for b in _put_events_batches(big)] == [4, 4, 1]  # 4 x 60 KB fit in 256 KB
    assert [len(b) for b in _put_events_batches(small)] == [10, 2]
