"""The events function reads a service's WAIT item consistently: a deploy parks it moments before the
event that ends or fails the wait arrives, and a read that lags would answer "nobody waits".

Run against the local runtime's DynamoDB with lagging reads (`concurrency: {read_lag_seconds}`), where
an eventually consistent read of an item just written does not see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fargate_ops.aws.records import WaitRecord
from fargate_ops.aws.store import Store
from fargate_ops.aws.timeline_store import SharedReadStore, TimelineStore
from fargate_ops_cli.local.concurrency import ConcurrencySpec
from fargate_ops_cli.local.runtime import LocalRuntime
from fargate_ops_cli.local.stack import create_ops_table

TOY = Path(__file__).parent / "fixtures" / "toy"
TABLE = "ops"


@pytest.fixture
def runtime() -> Iterator[LocalRuntime]:
    with LocalRuntime(TOY, concurrency=ConcurrencySpec(read_lag_seconds=2, seed=1)) as runtime:
        create_ops_table(runtime.clients.client("dynamodb"), TABLE)
        yield runtime


def parked(runtime: LocalRuntime) -> WaitRecord:
    wait = WaitRecord(
        cluster="shop",
        service="web-green",
        task_token="token-1",
        deploy_id="d1",
        awaiting="approval",
        task_definition="arn:aws:ecs:us-east-1:123456789012:task-definition/web:2",
        since=runtime.clock.now(),
        expires_at=int(runtime.clock.now() + 3600),
    )
    Store(runtime.clients.client("dynamodb"), TABLE).park_wait(wait)
    return wait


def test_the_deploy_reactions_see_a_wait_item_parked_a_moment_ago(runtime: LocalRuntime) -> None:
    wait = parked(runtime)
    ddb = runtime.clients.client("dynamodb")
    shared = SharedReadStore(ddb, TABLE, TimelineStore(ddb, TABLE))

    seen = shared.get_wait("shop", "web-green")

    assert seen is not None and seen.task_token == wait.task_token
    assert runtime.concurrency.stats.stale_reads == 0


def test_the_watch_side_sees_that_a_deploy_waits_on_the_service(runtime: LocalRuntime) -> None:
    parked(runtime)

    snapshot = TimelineStore(runtime.clients.client("dynamodb"), TABLE).snapshot("shop", "web-green")

    assert snapshot.wait is not None and snapshot.wait["awaiting"] == "approval"


def test_an_eventually_consistent_read_here_would_not_see_it(runtime: LocalRuntime) -> None:
    """What the two tests above guard against: the store's own eventually consistent read misses it."""
    parked(runtime)

    assert Store(runtime.clients.client("dynamodb"), TABLE).get_wait("shop", "web-green") is None
