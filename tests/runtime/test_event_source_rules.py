"""The real template's rules accept events of the stack's own account and region only (plus the accounts
a hub is told to trust, for ECS events), and the runtime's bus honours that as EventBridge does.

The bus matches with moto's EventPattern (the code behind TestEventPattern), which compares the
envelope's ``account`` and ``region`` like any other field: these tests would fail on a bus that
matched ``detail`` only, or on a template whose patterns lost the two fields.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fargate_ops_cli.local.clients import as_world
from fargate_ops_cli.local.runtime import LocalRuntime

OURS = "123456789012"  # moto's default account
FORWARDED = "444455556666"


def patterns(runtime: LocalRuntime) -> dict[str, dict[str, Any]]:
    with as_world():
        rules = runtime.clients.client("events").list_rules()["Rules"]
    return {r["Name"]: json.loads(r["EventPattern"]) for r in rules if "EventPattern" in r}


def steady_state(account: str, region: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": f"steady-{account}-{region}",
        "detail-type": "ECS Service Action",
        "source": "aws.ecs",
        "account": account,
        "time": "2026-01-05T09:00:00Z",
        "region": region,
        "resources": [f"arn:aws:ecs:{region}:{account}:service/shop/web-green"],
        "detail": {"eventType": "INFO", "eventName": "SERVICE_STEADY_STATE", "clusterArn": "x"},
    }


@pytest.fixture(scope="module")
def hub() -> Any:
    with LocalRuntime() as runtime:
        runtime.deploy_stack(parameters={"EventSourceAccounts": FORWARDED})
        yield runtime


def test_by_default_every_rule_accepts_the_stacks_own_account_and_region_only() -> None:
    with LocalRuntime() as runtime:
        runtime.deploy_stack()
        found = patterns(runtime)

    assert {name: (p["account"], p["region"]) for name, p in found.items()} == {
        name: ([OURS], ["us-east-1"]) for name in found
    }
    # task stopped, service action, deployment state, alarm state, and the deploy executions that ended
    assert len(found) == 5


def test_a_hub_accepts_the_forwarded_accounts_ecs_events_but_only_its_own_alarms(hub: LocalRuntime) -> None:
    found = patterns(hub)
    own_only = {"fargate-ops-alarm-state", "fargate-ops-deploy-ended"}  # its alarms, its own executions

    assert {name: found[name]["account"] for name in own_only} == {name: [OURS] for name in own_only}
    assert {name: p["account"] for name, p in found.items() if name not in own_only} == {
        name: [OURS, FORWARDED] for name in found if name not in own_only
    }


@pytest.mark.parametrize(
    ("account", "region", "delivered"),
    [(OURS, "us-east-1", True), ("999999999999", "us-east-1", False), (OURS, "eu-west-1", False)],
)
def test_the_bus_delivers_an_event_only_where_the_rules_account_and_region_match(
    hub: LocalRuntime, account: str, region: str, delivered: bool
) -> None:
    event = steady_state(account, region)

    hub.bus.put(event)
    hub.clock.run_until(hub.clock.now() + 1)

    rules = {d.rule for d in hub.bus.deliveries if d.event_id == event["id"]}
    assert rules == ({"fargate-ops-service-action"} if delivered else set())


def test_the_events_function_is_told_its_account_and_the_forwarded_ones(hub: LocalRuntime) -> None:
    # Without ACCOUNT_ID the code would not restrict (Settings.event_sources is None): the template sets it.
    assert hub.stack is not None
    with as_world():
        function = hub.clients.client("lambda").get_function(
            FunctionName=hub.stack.function_arn("EcsEventsFunction")
        )
    variables = function["Configuration"]["Environment"]["Variables"]

    assert (variables["ACCOUNT_ID"], variables["EVENT_SOURCE_ACCOUNTS"]) == (OURS, FORWARDED)
