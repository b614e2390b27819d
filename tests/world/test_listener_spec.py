"""The `load_balancer:` section: several listeners and rules, the one-listener shorthand, and the
references a world must get right (told with the field and the line)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from fargate_ops_cli.local.scenario import ScenarioError, loads
from fargate_ops_cli.local.world.spec import WorldSpec

SERVICES = [
    {"name": f"{app}-{slot}", "image": f"{app}:v1", "desired_count": 2 if slot == "blue" else 0}
    for app in ("web", "api")
    for slot in ("blue", "green")
]
LOAD_BALANCER: dict[str, Any] = {
    "listeners": [
        {
            "port": 80,
            "rules": [
                {
                    "name": "web",
                    "priority": 10,
                    "conditions": {"host": ["shop.example.com"]},
                    "forward": {"web-blue-tg": 100, "web-green-tg": 0},
                },
                {
                    "name": "api",
                    "priority": 20,
                    "conditions": {"path": ["/api/*"]},
                    "forward": ["api-blue-tg", "api-green-tg"],
                    "requests_per_minute": 100,
                },
            ],
        },
        {"port": 8080, "test": True, "default": {"forward": ["web-blue-tg", "web-green-tg"]}},
    ]
}


def world(load_balancer: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"services": SERVICES, "load_balancer": load_balancer or LOAD_BALANCER, **extra}


def edited(path: str, value: Any) -> dict[str, Any]:
    """LOAD_BALANCER with the value at a dotted path (listeners.0.rules.1.priority) replaced."""
    lb = copy.deepcopy(LOAD_BALANCER)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    node: Any = lb
    for part in parents:
        node = node[part]
    node[last] = value
    return lb


def test_two_applications_each_on_its_own_rule_and_a_test_listener_make_four_routes() -> None:
    spec = WorldSpec.model_validate(world(traffic={"requests_per_minute": 600}))

    routes = {r.key: r for r in spec.routes()}

    assert list(routes) == ["listener 80", "rule web", "rule api", "listener 8080"]
    assert routes["rule api"].action.forward == {"api-blue-tg": 100, "api-green-tg": 0}
    assert routes["listener 8080"].test and not routes["rule web"].test
    assert routes["listener 80"].action.fixed_response is not None  # no rule matched: 404
    # api asks for 100 a minute; web shares the other 500; the 404 default and the test listener get none
    assert spec.requests_per_route() == {
        "listener 80": 0,
        "rule web": 500,
        "rule api": 100,
        "listener 8080": 0,
    }


def test_the_one_listener_shorthand_still_forwards_to_every_target_group_through_one_route() -> None:
    spec = WorldSpec.model_validate({"services": SERVICES[:2], "load_balancer": {"listener_rule": True}})

    routes = spec.routes()

    assert [r.key for r in routes] == ["listener 80", "rule 80-10"]
    assert routes[1].action.forward == {"web-blue-tg": 100, "web-green-tg": 0}
    assert spec.requests_per_route() == {"listener 80": 0, "rule 80-10": 600}


@pytest.mark.parametrize(
    ("load_balancer", "message"),
    [
        (
            edited("listeners.0.rules.1.forward", {"api-blue-tg": 100, "nope-tg": 0}),
            "unknown target group 'nope-tg'",
        ),
        (edited("listeners.0.rules.1.priority", 10), "two rules of priority 10"),
        (edited("listeners.1.port", 80), "two listeners on port 80"),
        (edited("listeners.0.rules.1.name", "web"), "two rules named 'web'"),
        (edited("listeners.0.rules.0.forward", {"web-blue-tg": 1000}), "ELB weights are 0-999"),
        (edited("listeners.0.rules.0.forward", [f"t{i}" for i in range(6)]), "1 to 5 target groups"),
        (edited("listeners.0.rules.0.conditions", {}), "at least one condition"),
        (edited("listeners.0.rules.0.conditions", {"path": [f"/{i}" for i in range(6)]}), "at most 5 values"),
        (edited("listeners.0.default", {"fixed_response": 302}), "2XX, 4XX or 5XX"),
        (
            edited("listeners.0.default", {"fixed_response": 404, "forward": ["web-blue-tg"]}),
            "exactly one of",
        ),
        ({**LOAD_BALANCER, "listener_port": 8081}, "not both"),
    ],
    ids=[
        "unknown target group",
        "duplicate priority",
        "duplicate port",
        "duplicate rule name",
        "weight above 999",
        "six target groups",
        "no condition",
        "six condition values",
        "redirect status",
        "two actions",
        "both forms",
    ],
)
def test_a_wrong_load_balancer_is_refused_saying_why(load_balancer: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WorldSpec.model_validate(world(load_balancer))


def test_an_unknown_target_group_in_a_rule_is_reported_at_its_field_and_line() -> None:
    lb = edited("listeners.0.rules.1.forward", {"api-blue-tg": 100, "api-gren-tg": 0})
    text = yaml.safe_dump({"name": "x", "world": world(lb)}, sort_keys=False)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "api-gren-tg" in row)

    with pytest.raises(ScenarioError) as caught:
        loads(text, "shop.yaml")

    assert f"shop.yaml:{line}: world.load_balancer.listeners.0.rules.1.forward.api-gren-tg:" in str(
        caught.value
    )


def test_a_duplicate_priority_is_reported_at_the_second_rule() -> None:
    text = yaml.safe_dump(
        {"name": "x", "world": world(edited("listeners.0.rules.1.priority", 10))}, sort_keys=False
    )

    with pytest.raises(ScenarioError) as caught:
        loads(text, "shop.yaml")

    assert "world.load_balancer.listeners.0.rules.1.priority: Value error, listener 80 has two rules" in str(
        caught.value
    )
