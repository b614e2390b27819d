"""The listener guard: someone else's edit is named, never written over; a write is read back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from fargate_ops import clock
from fargate_ops.aws.elbv2 import VERIFY_BACKOFF_SECONDS, Elbv2Adapter
from fargate_ops.deploy import listener_guard
from fargate_ops.domain.listener import forward_drift
from fargate_ops.errors import ListenerDriftError, WeightsNotAppliedError
from fargate_ops.models.deploy import DeployDocument, parse_document

BLUE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue-tg/1"
GREEN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green-tg/2"
OTHER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-canary-tg/3"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/2"


def forward(weights: dict[str, int]) -> list[dict[str, Any]]:
    groups = [{"TargetGroupArn": arn, "Weight": w} for arn, w in weights.items()]
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}]


def test_an_unchanged_forward_action_has_no_drift() -> None:
    assert forward_drift({BLUE: 90, GREEN: 10}, forward({BLUE: 90, GREEN: 10})) == []


def test_a_changed_weight_an_added_group_and_a_removed_one_are_each_named() -> None:
    changes = forward_drift({BLUE: 90, GREEN: 10}, forward({BLUE: 100, OTHER: 5}))

    assert changes == [
        "web-blue-tg 90 → 100",
        "web-canary-tg added with weight 5",
        "web-green-tg removed (had weight 10)",
    ]


def test_a_forward_replaced_by_a_fixed_response_is_drift() -> None:
    changes = forward_drift({BLUE: 90, GREEN: 10}, [{"Type": "fixed-response"}])

    assert changes == ["the forward action is gone (the actions are now: fixed-response)"]


@dataclass
class FakeElb:
    """The listener adapter, answering with the live actions it holds."""

    actions_now: list[dict[str, Any]]

    def actions(self, arn: str) -> list[dict[str, Any]]:
        return self.actions_now


@dataclass
class FakeStore:
    record: dict[str, Any]

    def get_deploy(self, deploy_id: str) -> dict[str, Any]:
        return self.record


@dataclass
class FakeContext:
    elbv2: FakeElb
    store: FakeStore


@pytest.fixture
def slept() -> Iterator[list[float]]:
    pauses: list[float] = []
    clock.set_sleep(pauses.append)
    yield pauses
    clock.set_sleep(None)


def document(**changes: Any) -> DeployDocument:
    return parse_document(
        {
            "deploy_id": "d1",
            "cluster": "shop",
            "application": "web",
            "listener_arn": LISTENER,
            "change": {"images": {"web": "web:2"}},
            "execution": "exec-1",
            "weights": {BLUE: 100, GREEN: 0},
            "listener_actions": forward({BLUE: 100, GREEN: 0}),
            **changes,
        }
    )


def test_the_expected_weights_are_the_records_last_write_not_the_documents() -> None:
    # The events function took green's weight away (green had no healthy target): the record knows.
    record = {
        "execution": "exec-1",
        "weight_history": [
            {"at": "09:00", "weights": {BLUE: 100, GREEN: 0}},
            {"at": "09:01", "weights": {BLUE: 90, GREEN: 10}},
            {"at": "09:02", "weights": {BLUE: 100, GREEN: 0}, "by": "green has no healthy target"},
        ],
    }
    ctx = FakeContext(FakeElb(forward({BLUE: 100, GREEN: 0})), FakeStore(record))

    actions = listener_guard.live_actions_unchanged(document(weights={BLUE: 90, GREEN: 10}), ctx)  # type: ignore[arg-type]

    assert actions == forward({BLUE: 100, GREEN: 0})


def test_someone_elses_edit_stops_the_shift_saying_what_changed_and_since_when() -> None:
    record = {"execution": "exec-1", "weight_history": [{"at": "09:01", "weights": {BLUE: 90, GREEN: 10}}]}
    ctx = FakeContext(FakeElb(forward({BLUE: 100, GREEN: 0})), FakeStore(record))

    with pytest.raises(ListenerDriftError) as raised:
        listener_guard.live_actions_unchanged(document(), ctx)  # type: ignore[arg-type]

    cause = json.loads(str(raised.value))
    assert cause["changes"] == ["web-blue-tg 90 → 100", "web-green-tg 10 → 0"]
    assert "since it last wrote it at 09:01" in cause["reason"]


class LaggingListeners:
    """A boto3 ELBv2 client whose first ``stale_reads`` DescribeListeners still show the old action."""

    def __init__(self, now: dict[str, int], stale_reads: int, before: dict[str, int]) -> None:
        self.now, self.before, self.stale_reads, self.reads = now, before, stale_reads, 0

    def describe_listeners(self, ListenerArns: list[str]) -> dict[str, Any]:
        self.reads += 1
        shown = self.before if self.reads <= self.stale_reads else self.now
        return {"Listeners": [{"ListenerArn": ListenerArns[0], "DefaultActions": forward(shown)}]}


def test_a_write_that_shows_after_two_stale_reads_is_verified(slept: list[float]) -> None:
    client = LaggingListeners({BLUE: 90, GREEN: 10}, stale_reads=2, before={BLUE: 100, GREEN: 0})

    Elbv2Adapter(client).verify_weights(LISTENER, {BLUE: 90, GREEN: 10})  # type: ignore[arg-type]

    assert client.reads == 3 and slept == [1.0, 2.0]


def test_a_write_that_never_shows_fails_after_a_bounded_number_of_reads(slept: list[float]) -> None:
    client = LaggingListeners({BLUE: 100, GREEN: 0}, stale_reads=0, before={})

    with pytest.raises(WeightsNotAppliedError, match="web-green-tg 10 → 0"):
        Elbv2Adapter(client).verify_weights(LISTENER, {BLUE: 90, GREEN: 10})  # type: ignore[arg-type]

    assert client.reads == 1 + len(VERIFY_BACKOFF_SECONDS)
