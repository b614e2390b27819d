"""DynamoDB in the local runtime behaves as AWS does under concurrency (local/strict_dynamodb.py).

Each test is a probe: it fails against moto 5.2.5 as it is (requests not atomic, no conflicts, every
read consistent), and passes with the runtime's hooks. The requests here are an operator's (no
principal: not checked by the IAM check), made on clock threads where the test needs them concurrent.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fargate_ops.aws import store_scaling
from fargate_ops.aws.store_scaling import ScalingStore
from fargate_ops.errors import ThrottlingError
from fargate_ops_cli.local import concurrency, strict_dynamodb
from fargate_ops_cli.local.clients import as_world
from fargate_ops_cli.local.concurrency import ConcurrencySpec
from fargate_ops_cli.local.runtime import LocalRuntime

TOY = Path(__file__).parent / "fixtures" / "toy"
TABLE = "probe"


def key(name: str) -> dict[str, Any]:
    return {"pk": {"S": name}}


def item(name: str, **attrs: str) -> dict[str, Any]:
    return {**key(name), **{k: {"S": v} for k, v in attrs.items()}}


@contextlib.contextmanager
def started_runtime(**spec: Any) -> Iterator[LocalRuntime]:
    """A runtime (no stack) with the probe's table, and a scenario's `concurrency:` of `spec`."""
    with LocalRuntime(TOY, concurrency=ConcurrencySpec(**spec)) as runtime:
        runtime.clients.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield runtime


@pytest.fixture
def make_runtime() -> Iterator[Callable[..., LocalRuntime]]:
    with contextlib.ExitStack() as stack:
        yield lambda **spec: stack.enter_context(started_runtime(**spec))


def _code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


class Outcomes:
    """What each concurrent request answered: "ok" or its error code (and the error itself)."""

    def __init__(self) -> None:
        self.answers: dict[str, str] = {}
        self.errors: dict[str, ClientError] = {}

    def run(self, name: str, call: Callable[[], Any]) -> Callable[[], None]:
        def act() -> None:
            try:
                call()
            except ClientError as error:
                self.answers[name], self.errors[name] = _code(error), error
            else:
                self.answers[name] = "ok"

        return act


# -- one request at a time ---------------------------------------------------------------------------


def test_concurrent_optimistic_increments_lose_no_update(make_runtime: Callable[..., LocalRuntime]) -> None:
    runtime = make_runtime(parallel_deliveries=True, seed=3)
    ddb = runtime.clients.client("dynamodb")
    ddb.put_item(TableName=TABLE, Item={**key("counter"), "n": {"N": "0"}})
    writers, increments = 6, 40

    def increment() -> None:
        done = 0
        while done < increments:
            seen = ddb.get_item(TableName=TABLE, Key=key("counter"), ConsistentRead=True)["Item"]["n"]["N"]
            try:
                ddb.put_item(
                    TableName=TABLE,
                    Item={**key("counter"), "n": {"N": str(int(seen) + 1)}},
                    ConditionExpression="n = :seen",
                    ExpressionAttributeValues={":seen": {"N": seen}},
                )
            except ClientError as error:
                assert _code(error) == "ConditionalCheckFailedException"
            else:
                done += 1

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as CPython can: a non-atomic request shows
    try:
        for _ in range(writers):
            runtime.clock.start_at(runtime.clock.now(), increment, "writer")
        runtime.clock.run_until_idle(runtime.clock.now() + 3600)
    finally:
        sys.setswitchinterval(switch)

    final = ddb.get_item(TableName=TABLE, Key=key("counter"), ConsistentRead=True)["Item"]["n"]["N"]
    assert int(final) == writers * increments
    assert runtime.concurrency.stats.condition_failures > 0  # the writers did race


# -- writes in flight ----------------------------------------------------------------------------------


@pytest.fixture
def fixed_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads instant; a single write in flight 50 ms, a transaction 50 ms: the order is the test's."""
    monkeypatch.setattr(concurrency, "REQUEST_LATENCY", (0.0, 0.0))
    monkeypatch.setattr(concurrency, "WRITE_IN_FLIGHT", (0.05, 0.05))
    monkeypatch.setattr(concurrency, "TRANSACTION_IN_FLIGHT", (0.05, 0.05))


def transaction(*names: str) -> dict[str, Any]:
    return {"TransactItems": [{"Put": {"TableName": TABLE, "Item": item(n, by="tx")}} for n in names]}


@pytest.mark.usefixtures("fixed_windows")
def test_a_write_on_an_item_a_transaction_holds_fails_with_transaction_conflict(
    make_runtime: Callable[..., LocalRuntime],
) -> None:
    runtime = make_runtime(parallel_deliveries=True)
    ddb, now, seen = runtime.clients.client("dynamodb"), runtime.clock.now(), Outcomes()
    runtime.clock.start_at(now, seen.run("tx", lambda: ddb.transact_write_items(**transaction("a", "b"))))
    put = seen.run("put", lambda: ddb.put_item(TableName=TABLE, Item=item("b", by="put")))
    runtime.clock.start_at(now + 0.01, put)
    runtime.clock.run_until_idle(now + 10)

    assert seen.answers == {"tx": "ok", "put": "TransactionConflictException"}
    stored = ddb.get_item(TableName=TABLE, Key=key("b"), ConsistentRead=True)["Item"]
    assert stored["by"] == {"S": "tx"}


@pytest.mark.usefixtures("fixed_windows")
def test_a_transaction_overlapping_another_on_one_item_is_cancelled_with_transaction_conflict(
    make_runtime: Callable[..., LocalRuntime],
) -> None:
    runtime = make_runtime(parallel_deliveries=True)
    ddb, now, seen = runtime.clients.client("dynamodb"), runtime.clock.now(), Outcomes()
    runtime.clock.start_at(now, seen.run("first", lambda: ddb.transact_write_items(**transaction("a", "b"))))
    second = seen.run("second", lambda: ddb.transact_write_items(**transaction("c", "b")))
    runtime.clock.start_at(now + 0.01, second)
    runtime.clock.run_until_idle(now + 10)

    assert seen.answers == {"first": "ok", "second": "TransactionCanceledException"}
    response = seen.errors["second"].response
    assert response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
    ]
    assert response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, TransactionConflict]"
    )
    assert "Item" not in ddb.get_item(TableName=TABLE, Key=key("c"), ConsistentRead=True)  # all or nothing


@pytest.mark.usefixtures("fixed_windows")
def test_a_transaction_overlapping_a_single_write_in_flight_is_cancelled(
    make_runtime: Callable[..., LocalRuntime],
) -> None:
    runtime = make_runtime(parallel_deliveries=True)
    ddb, now, seen = runtime.clients.client("dynamodb"), runtime.clock.now(), Outcomes()
    runtime.clock.start_at(
        now, seen.run("put", lambda: ddb.put_item(TableName=TABLE, Item=item("a", by="put")))
    )
    runtime.clock.start_at(now + 0.01, seen.run("tx", lambda: ddb.transact_write_items(**transaction("a"))))
    runtime.clock.run_until_idle(now + 10)

    assert seen.answers == {"put": "ok", "tx": "TransactionCanceledException"}
    assert seen.errors["tx"].response["CancellationReasons"][0]["Code"] == "TransactionConflict"


@pytest.mark.usefixtures("fixed_windows")
def test_without_parallel_deliveries_nothing_is_in_flight(make_runtime: Callable[..., LocalRuntime]) -> None:
    runtime = make_runtime()
    ddb, now, seen = runtime.clients.client("dynamodb"), runtime.clock.now(), Outcomes()
    runtime.clock.start_at(now, seen.run("tx", lambda: ddb.transact_write_items(**transaction("a", "b"))))
    runtime.clock.start_at(now, seen.run("put", lambda: ddb.put_item(TableName=TABLE, Item=item("b"))))
    runtime.clock.run_until_idle(now + 10)

    assert seen.answers == {"tx": "ok", "put": "ok"}


# -- eventually consistent reads ---------------------------------------------------------------------------


def test_an_item_just_created_is_not_there_yet_for_an_eventually_consistent_read(
    make_runtime: Callable[..., LocalRuntime],
) -> None:
    runtime = make_runtime(read_lag_seconds=2, seed=1)
    ddb = runtime.clients.client("dynamodb")
    ddb.put_item(TableName=TABLE, Item=item("new"))

    assert "Item" not in ddb.get_item(TableName=TABLE, Key=key("new"))
    assert (
        ddb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "new"}},
        )["Items"]
        == []
    )
    assert ddb.scan(TableName=TABLE)["Items"] == []
    # a consistent read sees it, and so does every read once the lag has passed
    assert ddb.get_item(TableName=TABLE, Key=key("new"), ConsistentRead=True)["Item"] == item("new")
    runtime.clock.run_until(runtime.clock.now() + 2.001)
    assert ddb.get_item(TableName=TABLE, Key=key("new"))["Item"] == item("new")


def test_an_eventually_consistent_read_may_see_an_item_as_it_was_before_a_write(
    make_runtime: Callable[..., LocalRuntime],
) -> None:
    runtime = make_runtime(read_lag_seconds=2, seed=1)
    ddb = runtime.clients.client("dynamodb")
    ddb.put_item(TableName=TABLE, Item=item("kept", v="old"))
    ddb.put_item(TableName=TABLE, Item=item("gone"))
    runtime.clock.run_until(runtime.clock.now() + 10)
    ddb.put_item(TableName=TABLE, Item=item("kept", v="new"))
    ddb.delete_item(TableName=TABLE, Key=key("gone"))

    assert ddb.get_item(TableName=TABLE, Key=key("kept"))["Item"] == item("kept", v="old")
    assert ddb.get_item(TableName=TABLE, Key=key("gone"))["Item"] == item("gone")  # still there
    batch = ddb.batch_get_item(RequestItems={TABLE: {"Keys": [key("kept")]}})
    assert batch["Responses"][TABLE] == [item("kept", v="old")]
    assert runtime.concurrency.stats.stale_reads == 3
    # the past is not kept: the table itself holds the newest item
    assert ddb.get_item(TableName=TABLE, Key=key("kept"), ConsistentRead=True)["Item"] == item(
        "kept", v="new"
    )


def test_how_far_a_read_lags_follows_the_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        with started_runtime(read_lag_seconds=2, seed=seed) as runtime:
            ddb = runtime.clients.client("dynamodb")
            ddb.put_item(TableName=TABLE, Item=item("x"))
            runtime.clock.run_until(runtime.clock.now() + 1)  # reads lagging more than a second miss it
            return ["Item" in ddb.get_item(TableName=TABLE, Key=key("x")) for _ in range(20)]

    first = pattern(5)
    assert first == pattern(5)
    assert True in first and False in first


def test_the_runtimes_own_reads_never_lag(make_runtime: Callable[..., LocalRuntime]) -> None:
    runtime = make_runtime(read_lag_seconds=2, seed=1)
    ddb = runtime.clients.client("dynamodb")
    ddb.put_item(TableName=TABLE, Item=item("new"))

    with as_world():  # reports and invariants read what is there
        assert ddb.get_item(TableName=TABLE, Key=key("new"))["Item"] == item("new")


def test_a_batch_write_under_throttling_writes_some_and_hands_back_the_rest(
    make_runtime: Callable[..., LocalRuntime],
) -> None:
    runtime = make_runtime()
    ddb = runtime.clients.client("dynamodb")
    strict_dynamodb.BATCH_WRITES.items_per_call = 10
    requests = [{"PutRequest": {"Item": item(f"i{n:02d}")}} for n in range(25)]

    answer = ddb.batch_write_item(RequestItems={TABLE: requests})

    assert answer["UnprocessedItems"] == {TABLE: requests[10:]}  # the others, in the order asked
    with as_world():
        written = {i["pk"]["S"] for i in ddb.scan(TableName=TABLE)["Items"]}
        assert written == {f"i{n:02d}" for n in range(10)}
        # the runtime's own writes are never cut
        assert ddb.batch_write_item(RequestItems={TABLE: requests})["UnprocessedItems"] == {}


def test_the_scaling_store_sends_unprocessed_items_again_until_all_are_written(
    make_runtime: Callable[..., LocalRuntime],
) -> None:
    runtime = make_runtime()
    ddb = runtime.clients.client("dynamodb")
    strict_dynamodb.BATCH_WRITES.items_per_call = 10

    ScalingStore(ddb, TABLE).write_items({"pk": f"i{n:02d}", "v": "x"} for n in range(60))

    with as_world():
        assert len(ddb.scan(TableName=TABLE)["Items"]) == 60
    # 25 asked: 10 written, 15 again: 10, 5 again: 5 (three calls per full batch; 10 left: one)
    assert runtime.api_calls()["dynamodb:BatchWriteItem"] == 3 + 3 + 1


def test_the_scaling_store_gives_up_with_a_throttling_error_when_items_stay_unprocessed(
    make_runtime: Callable[..., LocalRuntime], monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = make_runtime()
    strict_dynamodb.BATCH_WRITES.items_per_call = 1
    monkeypatch.setattr(store_scaling, "UNPROCESSED_RETRIES", 2)  # 3 calls write 3 of the 25

    with pytest.raises(ThrottlingError, match="BatchWriteItem left items unprocessed"):
        ScalingStore(runtime.clients.client("dynamodb"), TABLE).write_items(
            {"pk": f"i{n:02d}"} for n in range(25)
        )
