"""Scaling schedules, overrides and saved state in the table (moto)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from fargate_ops import clients
from fargate_ops.aws.store_scaling import (
    ScalingState,
    ScalingStore,
    ScheduleExistsError,
    ScheduleNotFoundError,
    ServiceScaling,
)
from fargate_ops.models.schedule import ScheduleError

AT = "2026-11-20T00:00:00Z"


def office_hours(**changes: Any) -> dict[str, Any]:
    return {
        "name": "office",
        "timezone": "Asia/Tokyo",
        "periods": [{"begin": "09:00", "end": "18:00", "weekdays": "mon-fri", "desired": 2}],
        "holidays": {"countries": ["JP"]},
        "default": {"desired": 0},
        **changes,
    }


@pytest.fixture
def scaling(table: str) -> ScalingStore:
    return ScalingStore(clients.client("dynamodb"), table)


def test_a_stored_schedule_reads_back_as_the_same_schedule(scaling: ScalingStore) -> None:
    stored = scaling.put_schedule(office_hours(), at=AT, create=True)
    assert scaling.get_schedule("office") == stored
    assert [s.name for s in scaling.list_schedules()] == ["office"]


def test_an_invalid_schedule_is_refused_with_its_field_and_nothing_is_stored(
    scaling: ScalingStore, table: str
) -> None:
    bad = office_hours(periods=[{"begin": "09:00", "end": "18:00", "weekdays": "mon#6", "desired": 2}])
    with pytest.raises(ScheduleError) as refused:
        scaling.put_schedule(bad, at=AT, create=True)
    assert refused.value.field == "periods.0.weekdays"
    assert boto3.client("dynamodb", "us-east-1").scan(TableName=table)["Items"] == []


def test_create_refuses_a_taken_name_and_update_refuses_an_unknown_one(scaling: ScalingStore) -> None:
    with pytest.raises(ScheduleNotFoundError):
        scaling.put_schedule(office_hours(), at=AT, create=False)
    scaling.put_schedule(office_hours(), at=AT, create=True)
    with pytest.raises(ScheduleExistsError):
        scaling.put_schedule(office_hours(), at=AT, create=True)
    updated = scaling.put_schedule(office_hours(warm_up="10m"), at=AT, create=False)
    assert scaling.get_schedule("office") == updated and updated.warm_up == 600


def test_a_deleted_schedule_is_gone_and_deleting_it_again_says_so(scaling: ScalingStore) -> None:
    scaling.put_schedule(office_hours(), at=AT, create=True)
    scaling.delete_schedule("office")
    assert scaling.get_schedule("office") is None and scaling.list_schedules() == []
    with pytest.raises(ScheduleNotFoundError):
        scaling.delete_schedule("office")


def test_an_override_is_kept_per_service_until_replaced(scaling: ScalingStore) -> None:
    until = "2026-11-23T23:00:00+09:00"
    scaling.put_override("prod", {"service": "api", "desired": 4, "until": until}, at=AT)
    found = scaling.get_override("prod", "api")
    assert found is not None and found.desired == 4 and found.until.isoformat() == until
    assert scaling.get_override("prod", "web") is None and scaling.get_override("dev", "api") is None


def test_the_saved_capacity_is_remembered_per_service(scaling: ScalingStore) -> None:
    state = ScalingState("prod", "api", "office", saved_desired=3, saved_min=1, saved_max=6)
    scaling.put_state(state)
    assert scaling.get_state("prod", "api") == state
    assert scaling.get_state("prod", "web") is None


def test_a_clusters_scaling_items_are_read_in_one_query_and_slot_membership_in_batches_of_100(
    scaling: ScalingStore, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"svc-{n:03d}" for n in range(250)]
    ddb = boto3.client("dynamodb")
    for name in names[:3]:
        scaling.put_state(ScalingState("prod", name, "office", saved_desired=1))
    scaling.put_state(ScalingState("dev", "svc-000", "office", saved_desired=9))  # another cluster
    until = "2026-11-23T23:00:00+09:00"
    scaling.put_override("prod", {"service": "svc-001", "desired": 4, "until": until}, at=AT)
    ddb.put_item(
        TableName=table,
        Item={"pk": {"S": "SERVICE#prod#svc-200"}, "sk": {"S": "APP"}, "application": {"S": "web"}},
    )
    calls: list[str] = []

    class Counting:  # the client, counting the operations the read makes
        def __getattr__(self, operation: str) -> Any:
            calls.append(operation)
            return getattr(ddb, operation)

    monkeypatch.setattr(scaling, "_ddb", Counting())

    found = scaling.cluster_scaling("prod", names)

    assert calls == ["query", "batch_get_item", "batch_get_item", "batch_get_item"]
    assert found["svc-000"].state is not None and found["svc-000"].state.saved_desired == 1
    assert found["svc-001"].override is not None and found["svc-001"].override.desired == 4
    assert found["svc-200"].application == "web" and found["svc-100"] == ServiceScaling()
