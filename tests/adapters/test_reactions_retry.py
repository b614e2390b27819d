"""An event is remembered only once its action succeeded: a failed action leaves it for the retry.

EventBridge delivers to the events function as an asynchronous invocation, which Lambda retries when it
fails. A reaction that remembered the event before acting would meet its own retry as a duplicate and
the action would be lost; these tests fail the action once (a throttled Step Functions call) and check
that the redelivery acts, and that a copy after that is still a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from fargate_ops.aws.store import Store, WaitRecord
from fargate_ops.errors import ThrottlingError
from fargate_ops.models.events import parse_event
from fargate_ops.reactions.pipeline import react_deploy_waits
from fargate_ops.reactions.reactor import Reactor
from fargate_ops.settings import Settings

ALARM = "web-green-5xx"


@dataclass
class ThrottledOnce:
    """Step Functions whose first call of each kind is throttled; ``over`` lists tokens already ended."""

    successes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    over: set[str] = field(default_factory=set)
    _throttled: set[str] = field(default_factory=set)

    def _call(self, kind: str, token: str, book: list[str]) -> bool:
        if kind not in self._throttled:
            self._throttled.add(kind)
            raise ThrottlingError(f"states:{kind}: ThrottlingException: Rate exceeded")
        book.append(token)
        if token in self.over:
            return False
        self.over.add(token)  # a token answers once
        return True

    def send_success(self, task_token: str, output: Any) -> bool:
        return self._call("SendTaskSuccess", task_token, self.successes)

    def send_failure(self, task_token: str, error: str, cause: Any) -> bool:
        return self._call("SendTaskFailure", task_token, self.failures)


@pytest.fixture
def sfn() -> ThrottledOnce:
    return ThrottledOnce()


@pytest.fixture
def reactor(settings: Settings, sfn: ThrottledOnce) -> Reactor:
    built = Reactor(settings)
    built.sfn = sfn  # type: ignore[assignment]
    built.store = Store(built.client_factory("dynamodb"), settings.table_name)
    return built


def deploy_side(raw: dict[str, Any], reactor: Reactor) -> str:
    return str(react_deploy_waits(parse_event(raw), reactor))


def alarm_event(event_id: str = "alarm-1") -> dict[str, Any]:
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": "123456789012",
        "time": "2026-01-05T09:02:00Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{ALARM}"],
        "detail": {
            "alarmName": ALARM,
            "state": {
                "value": "ALARM",
                "reason": "Threshold Crossed",
                "timestamp": "2026-01-05T09:02:00.000+0000",
            },
        },
    }


def baking(store: Store, table: str, deploy_id: str = "d1", token: str = "token-bake") -> None:
    """A running deploy in its bake, watching the alarm (what Plan and Bake leave in the table)."""
    boto3.client("dynamodb", "us-east-1").put_item(
        TableName=table,
        Item={
            "pk": {"S": f"DEPLOY#{deploy_id}"},
            "sk": {"S": "META"},
            "status": {"S": "RUNNING"},
            "execution": {"S": f"arn:aws:states:us-east-1:123456789012:execution:deploy:{deploy_id}"},
            "waiting": {"M": {"kind": {"S": "bake"}, "token": {"S": token}}},
        },
    )
    store.watch_alarms([ALARM], deploy_id)


def test_an_alarm_whose_send_task_failure_was_throttled_fails_the_bake_on_the_retry(
    reactor: Reactor, store: Store, table: str, sfn: ThrottledOnce
) -> None:
    baking(store, table)

    with pytest.raises(ThrottlingError):
        deploy_side(alarm_event(), reactor)  # the invocation fails: Lambda retries it
    retried = deploy_side(alarm_event(), reactor)

    assert retried == f"alarm {ALARM}: failed the wait of d1"
    assert sfn.failures == ["token-bake"]


def test_an_alarm_acted_on_is_a_duplicate_when_it_comes_again(
    reactor: Reactor, store: Store, table: str, sfn: ThrottledOnce
) -> None:
    baking(store, table)
    with pytest.raises(ThrottlingError):
        deploy_side(alarm_event(), reactor)
    deploy_side(alarm_event(), reactor)

    assert deploy_side(alarm_event(), reactor) == "duplicate"
    assert sfn.failures == ["token-bake"]


def test_a_retry_after_one_of_two_watchers_was_failed_fails_the_other_and_takes_the_first_as_done(
    reactor: Reactor, store: Store, table: str, sfn: ThrottledOnce
) -> None:
    baking(store, table, "d1", "token-1")
    baking(store, table, "d2", "token-2")
    sfn._throttled.add("SendTaskFailure")  # the first call goes through...
    sfn.over.add("token-1")  # ...and d1's wait was failed by it (a copy of the event, say)

    outcome = deploy_side(alarm_event(), reactor)

    assert outcome == f"alarm {ALARM}: failed the wait of d2"
    assert sfn.failures == ["token-1", "token-2"]


def test_a_steady_state_whose_send_task_success_was_throttled_completes_the_wait_on_the_retry(
    reactor: Reactor, store: Store, sfn: ThrottledOnce, load_event: Any
) -> None:
    store.put_wait(
        WaitRecord(
            cluster="default",
            service="servicetest",
            task_token="token-ready",
            deploy_id="d1",
            awaiting="steady_state",
            task_definition="",
            since=1_500_000_000.0,
            expires_at=4_000_000_000,
        )
    )
    steady = load_event("ecs-service-action-service-steady-state.json")

    with pytest.raises(ThrottlingError):
        deploy_side(steady, reactor)
    retried = deploy_side(steady, reactor)

    assert retried == "green ready: wait completed"
    assert sfn.successes == ["token-ready"]
