"""Events from another account or region change nothing, even when they name our services and alarms.

The rules' patterns filter them first (tests/template); here they reach the code anyway, as a rule added
by hand or a direct invoke would bring them: a steady state of a same-named service must not end
green's readiness wait, an alarm of the same name must not fail a bake, and a forwarded account's
events are the watch side's only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from fargate_ops.aws.store import Store, WaitRecord
from fargate_ops.domain.event_sources import EventSources
from fargate_ops.models.events import parse_event
from fargate_ops.reactions.pipeline import react
from fargate_ops.reactions.reactor import Reactor
from fargate_ops.settings import Settings

OURS = "111122223333"  # the account of the real samples
FORWARDED = "444455556666"
REGION = "us-west-2"  # the region of the real samples
Loader = Callable[[str], dict[str, Any]]


@pytest.fixture
def reactor(settings: Settings, sfn: Any) -> Reactor:
    sources = EventSources.parse(OURS, REGION, FORWARDED)
    built = Reactor(Settings(settings.table_name, settings.topic_arn, event_sources=sources))
    built.sfn = sfn  # type: ignore[assignment]
    return built


@pytest.fixture
def ready_wait(store: Store) -> WaitRecord:
    wait = WaitRecord(
        cluster="default",
        service="servicetest",
        task_token="token-ready",
        deploy_id="d1",
        awaiting="steady_state",
        task_definition="",
        since=1_500_000_000.0,
        expires_at=4_000_000_000,
    )
    store.put_wait(wait)
    return wait


def steady_state(load_event: Loader, account: str = OURS, region: str = REGION) -> dict[str, Any]:
    raw = copy.deepcopy(load_event("ecs-service-action-service-steady-state.json"))
    raw["account"], raw["region"] = account, region
    raw["resources"] = [f"arn:aws:ecs:{region}:{account}:service/default/servicetest"]
    return raw


@pytest.mark.parametrize(
    ("account", "region", "why"),
    [
        ("999999999999", REGION, "ignored: from account 999999999999, not one this stack acts for"),
        (OURS, "eu-west-1", "ignored: from region eu-west-1, not us-west-2"),
        (FORWARDED, REGION, "ignored: from account 444455556666: deploys wait on this account's events only"),
    ],
)
def test_a_steady_state_from_elsewhere_does_not_end_greens_readiness_wait(
    load_event: Loader,
    reactor: Reactor,
    ready_wait: WaitRecord,
    sfn: Any,
    account: str,
    region: str,
    why: str,
) -> None:
    reaction = react(parse_event(steady_state(load_event, account, region)), reactor)

    assert str(reaction.deploy_wait) == why
    assert sfn.successes == []


def test_the_same_steady_state_from_our_own_account_and_region_ends_it(
    load_event: Loader, reactor: Reactor, ready_wait: WaitRecord, sfn: Any
) -> None:
    reaction = react(parse_event(steady_state(load_event)), reactor)

    assert str(reaction.deploy_wait) == "green ready: wait completed"
    assert [token for token, _ in sfn.successes] == ["token-ready"]


def test_a_forwarded_accounts_events_reach_the_watch_side(load_event: Loader, reactor: Reactor) -> None:
    raw = copy.deepcopy(load_event("ecs-service-action-service-task-start-impaired.json"))
    raw["account"] = FORWARDED
    raw["resources"] = [r.replace(OURS, FORWARDED) for r in raw["resources"]]

    reaction = react(parse_event(raw), reactor)

    assert reaction.watch.acted_on, reaction.watch
    assert str(reaction.deploy_wait).startswith("ignored: from account 444455556666")


def test_an_alarm_of_the_same_name_from_another_account_fails_no_bake(
    reactor: Reactor, store: Store, sfn: Any
) -> None:
    store.watch_alarms(["web-green-5xx"], "d1")
    raw = {
        "version": "0",
        "id": "alarm-1",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": "999999999999",
        "region": REGION,
        "time": "2026-01-05T09:02:00Z",
        "resources": [f"arn:aws:cloudwatch:{REGION}:999999999999:alarm:web-green-5xx"],
        "detail": {"alarmName": "web-green-5xx", "state": {"value": "ALARM", "reason": "Threshold Crossed"}},
    }

    reaction = react(parse_event(raw), reactor)

    assert str(reaction.deploy_wait).startswith("ignored: from account 999999999999")
    assert sfn.failures == []


def test_the_events_function_reads_its_sources_from_the_template_variables() -> None:
    settings = Settings.from_env(
        {
            "TABLE_NAME": "t",
            "TOPIC_ARN": "arn:aws:sns:us-west-2:111122223333:t",
            "ACCOUNT_ID": OURS,
            "AWS_REGION": REGION,
            "EVENT_SOURCE_ACCOUNTS": "",  # the parameter's default, joined
        }
    )

    assert settings.event_sources == EventSources(OURS, REGION, frozenset())
