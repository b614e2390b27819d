"""DynamoDB writes that meet a transaction in flight are resent after a back-off (aws/conflicts.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fargate_ops import clock
from fargate_ops.aws import conflicts
from fargate_ops.aws.conflicts import ConflictRetrying


def refusal(code: str, *reasons: str) -> ClientError:
    response: dict[str, Any] = {"Error": {"Code": code, "Message": code}}
    if reasons:
        response["CancellationReasons"] = [{"Code": r} for r in reasons]
    return ClientError(response, "Write")  # type: ignore[arg-type]


class FakeDynamoDB:
    """Refuses the first writes it is given, then accepts; reads answer at once."""

    def __init__(self, *refusals: ClientError) -> None:
        self.refusals = list(refusals)
        self.calls: list[str] = []

    def _write(self, name: str) -> dict[str, Any]:
        self.calls.append(name)
        if self.refusals:
            raise self.refusals.pop(0)
        return {"written": name}

    def put_item(self, **_: Any) -> dict[str, Any]:
        return self._write("put_item")

    def transact_write_items(self, **_: Any) -> dict[str, Any]:
        return self._write("transact_write_items")

    def get_item(self, **_: Any) -> dict[str, Any]:
        self.calls.append("get_item")
        return {"Item": {}}


@pytest.fixture
def slept() -> Iterator[list[float]]:
    waits: list[float] = []
    clock.set_sleep(waits.append)
    clock.set_jitter(lambda: 0.5)
    yield waits
    clock.set_sleep(None)
    clock.set_jitter(None)


def test_a_write_refused_for_a_transaction_in_flight_is_sent_again_after_a_back_off(
    slept: list[float],
) -> None:
    fake = FakeDynamoDB(refusal("TransactionConflictException"), refusal("TransactionConflictException"))

    assert ConflictRetrying(fake).put_item(TableName="t") == {"written": "put_item"}
    assert fake.calls == ["put_item"] * 3
    assert slept == [0.5 * 0.02, 0.5 * 0.04]  # full jitter under a doubling cap


def test_a_transaction_cancelled_for_a_conflict_is_sent_again(slept: list[float]) -> None:
    fake = FakeDynamoDB(refusal("TransactionCanceledException", "None", "TransactionConflict"))

    ConflictRetrying(fake).transact_write_items(TransactItems=[])
    assert fake.calls == ["transact_write_items"] * 2


def test_a_transaction_cancelled_by_its_conditions_is_not_sent_again(slept: list[float]) -> None:
    fake = FakeDynamoDB(refusal("TransactionCanceledException", "ConditionalCheckFailed", "None"))

    with pytest.raises(ClientError, match="TransactionCanceledException"):
        ConflictRetrying(fake).transact_write_items(TransactItems=[])
    assert fake.calls == ["transact_write_items"]
    assert slept == []


def test_a_conflict_that_does_not_clear_is_raised_after_the_last_attempt(slept: list[float]) -> None:
    fake = FakeDynamoDB(*[refusal("TransactionConflictException")] * conflicts.ATTEMPTS)

    with pytest.raises(ClientError, match="TransactionConflictException"):
        ConflictRetrying(fake).put_item(TableName="t")
    assert len(fake.calls) == conflicts.ATTEMPTS
    assert max(slept) <= conflicts.MAX_DELAY_SECONDS


def test_reads_pass_straight_through(slept: list[float]) -> None:
    fake = FakeDynamoDB()

    assert ConflictRetrying(fake).get_item(TableName="t") == {"Item": {}}
    assert fake.calls == ["get_item"]
