"""Several applications on one ALB, each on its own listener rule: what is created, how each rule's
requests split by that rule's weights, what ELB answers itself, and invariants that name the rule."""

from __future__ import annotations

from typing import Any

import pytest

from fargate_ops_cli.local.world.invariants import check
from tests.world.helpers import World, build_world, metric

pytestmark = pytest.mark.usefixtures("aws")

DELAY = 120  # the default ingestion delay: a minute is readable this long after it ends


def services(web_green: int = 0) -> list[dict[str, Any]]:
    return [
        {"name": "web-blue", "image": "web:v1", "desired_count": 2},
        {"name": "web-green", "image": "web:v1", "desired_count": web_green},
        {"name": "api-blue", "image": "api:v1", "desired_count": 1},
        {"name": "api-green", "image": "api:v1", "desired_count": 0},
    ]


def two_applications(web_green: int = 0, test_rpm: int | None = None) -> dict[str, Any]:
    test_listener: dict[str, Any] = {
        "port": 8080,
        "test": True,
        "default": {"forward": {"web-blue-tg": 0, "web-green-tg": 100}},
    }
    if test_rpm is not None:
        test_listener["requests_per_minute"] = test_rpm
    return {
        "services": services(web_green),
        "traffic": {"requests_per_minute": 600},
        "load_balancer": {
            "listeners": [
                {
                    "port": 80,
                    "rules": [
                        {
                            "name": "web",
                            "priority": 10,
                            "conditions": {"host": ["shop.example.com"]},
                            "forward": ["web-blue-tg", "web-green-tg"],
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
                test_listener,
            ]
        },
    }


def forward(world: World, weights: dict[str, int]) -> list[dict[str, Any]]:
    groups = [{"TargetGroupArn": world.tg(name), "Weight": w} for name, w in weights.items()]
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}]


def test_each_application_gets_its_own_rule_with_its_conditions_and_forward() -> None:
    world = build_world(run=False, **two_applications())
    elbv2, p = world.client("elbv2"), world.provisioned

    web, api = p.routes["rule web"], p.routes["rule api"]
    described = {r["RuleArn"]: r for r in elbv2.describe_rules(ListenerArn=web.listener_arn)["Rules"]}

    assert described[web.arn]["Conditions"][0]["HostHeaderConfig"]["Values"] == ["shop.example.com"]
    assert described[api.arn]["Conditions"][0]["PathPatternConfig"]["Values"] == ["/api/*"]
    groups = described[api.arn]["Actions"][0]["ForwardConfig"]["TargetGroups"]
    assert [(g["TargetGroupArn"], g["Weight"]) for g in groups] == [
        (world.tg("api-blue-tg"), 100),
        (world.tg("api-green-tg"), 0),
    ]
    assert [r.key for r in p.routes_for(["api-blue-tg", "api-green-tg"])] == ["rule api"]
    assert [r.key for r in p.routes_for(["web-blue-tg", "web-green-tg"], test=True)] == ["listener 8080"]
    with pytest.raises(ValueError, match="production routes"):
        p.traffic_arn()  # two applications: there is no one listener to name


def test_each_rule_splits_its_own_requests_by_its_own_weights() -> None:
    world = build_world(**two_applications(web_green=1))
    world.clock.advance(30)  # web-green's task registers and passes its health checks

    world.client("elbv2").modify_rule(
        RuleArn=world.provisioned.route_arn("rule web"),
        Actions=forward(world, {"web-blue-tg": 90, "web-green-tg": 10}),
    )
    world.clock.advance(30 + 60 + DELAY)  # the whole next minute at these weights, readable

    # api asked for 100 a minute; web takes the other 500, 90/10; the test listener carries none
    assert metric(world, "RequestCount", "Sum", "web-blue-tg", first=1) == [450.0]
    assert metric(world, "RequestCount", "Sum", "web-green-tg", first=1) == [50.0]
    assert metric(world, "RequestCount", "Sum", "api-blue-tg", first=1) == [100.0]
    assert metric(world, "RequestCount", "Sum", None, first=1) == [600.0]


def test_a_target_group_two_routes_forward_to_gets_both_shares_in_one_metric() -> None:
    world = build_world(**two_applications(web_green=1, test_rpm=60))
    world.clock.advance(30)

    world.client("elbv2").modify_rule(
        RuleArn=world.provisioned.route_arn("rule web"),
        Actions=forward(world, {"web-blue-tg": 90, "web-green-tg": 10}),
    )
    world.clock.advance(30 + 60 + DELAY)  # the whole next minute at these weights, readable

    # web shares what api (100) and the test listener (60) leave of 600: 10% of 440, plus the test's 60
    assert metric(world, "RequestCount", "Sum", "web-green-tg", first=1) == [44.0 + 60.0]


def test_a_rule_that_answers_by_itself_gives_load_balancer_errors_and_no_target_requests() -> None:
    world = build_world(**two_applications())

    world.client("elbv2").modify_rule(
        RuleArn=world.provisioned.route_arn("rule api"),
        Actions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "503"}}],
    )
    world.clock.advance(60 + DELAY)

    assert metric(world, "HTTPCode_ELB_5XX_Count", "Sum", None) == [100.0]
    assert metric(world, "RequestCount", "Sum", "api-blue-tg") == []
    assert metric(world, "RequestCount", "Sum", None) == [500.0]  # ELB's own answers are not in it


def test_weight_on_a_group_without_healthy_targets_names_the_rule() -> None:
    world = build_world(**two_applications())

    world.client("elbv2").modify_rule(
        RuleArn=world.provisioned.route_arn("rule web"),
        Actions=forward(world, {"web-blue-tg": 90, "web-green-tg": 10}),
    )

    assert check(world.sim) == [
        "target group web-green-tg has weight 10 on rule web (listener 80) but no healthy target",
        "target group web-green-tg has weight 100 on listener 8080 but no healthy target",
    ]


def test_the_simulator_sees_each_change_of_a_rule() -> None:
    world = build_world(**two_applications())

    world.client("elbv2").modify_rule(
        RuleArn=world.provisioned.route_arn("rule api"),
        Actions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "503"}}],
    )
    world.clock.advance(10)

    api = [(c.action.weights, c.action.fixed_status) for c in world.sim.route_watch.of("rule api")]
    assert api == [({world.tg("api-blue-tg"): 100, world.tg("api-green-tg"): 0}, None), ({}, 503)]
    assert len(world.sim.route_watch.of("rule web")) == 1  # as created: nobody touched it
