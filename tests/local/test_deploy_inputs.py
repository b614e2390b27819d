"""What the scenario runner passes a deploy: the listener or rule of that application, its test
listener when the world has one, the validation hook's ARN, and an environment-only change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from fargate_ops_cli.local.runner import ScenarioRunner
from fargate_ops_cli.local.scenario import DeployAction, Scenario, ScenarioError
from tests.world.helpers import World, build_world

SERVICES = [
    {"name": f"{app}-{slot}", "image": f"{app}:v1", "desired_count": 1}
    for app in ("web", "api")
    for slot in ("blue", "green")
]


def rule(name: str, priority: int, app: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "priority": priority,
        "conditions": {"path": [f"/{name}/*"]},
        "forward": [f"{app}-blue-tg", f"{app}-green-tg"],
        **extra,
    }


@pytest.fixture
def shared_alb(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """web and api on one listener, each on its own rule; web has a test rule too."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    rules = [rule("web", 10, "web"), rule("api", 20, "api"), rule("web-test", 5, "web", test=True)]
    with mock_aws():
        yield build_world(
            run=False, services=SERVICES, load_balancer={"listeners": [{"port": 80, "rules": rules}]}
        )


def deploy_input(world: World, **action: Any) -> dict[str, Any]:
    scenario = Scenario.model_validate({"name": "t", "world": world.spec.model_dump(exclude_unset=True)})
    return ScenarioRunner(scenario).deploy_input(DeployAction.model_validate(action), world.provisioned)


def test_each_application_is_deployed_through_its_own_rule(shared_alb: World) -> None:
    routes = shared_alb.provisioned.routes

    web = deploy_input(shared_alb, id="w1", application="web", images={"web": "web:v2"})
    api = deploy_input(shared_alb, id="a1", application="api", images={"api": "api:v2"})

    assert (web["listener_arn"], web["test_listener_arn"]) == (
        routes["rule web"].arn,
        routes["rule web-test"].arn,
    )
    assert api["listener_arn"] == routes["rule api"].arn and "test_listener_arn" not in api


def test_a_deploy_names_its_hook_by_the_world_name_and_passes_its_arn(shared_alb: World) -> None:
    hook = "arn:aws:lambda:us-east-1:123456789012:function:fargate-ops-hook-smoke"
    shared_alb.provisioned.hooks["fargate-ops-hook-smoke"] = hook  # as provision creates it

    sent = deploy_input(
        shared_alb,
        id="w1",
        application="web",
        images={"web": "web:v2"},
        validation_hook="fargate-ops-hook-smoke",
    )

    assert sent["validation_hook"] == hook


def test_an_environment_only_deploy_sends_only_the_environment(shared_alb: World) -> None:
    sent = deploy_input(
        shared_alb, id="w1", application="web", environment={"web": {"FLAG": "on", "OLD": None}}
    )

    assert sent["change"] == {"environment": {"web": {"FLAG": "on", "OLD": None}}}


def test_an_application_no_rule_forwards_to_is_refused_before_it_starts(shared_alb: World) -> None:
    with pytest.raises(ScenarioError, match="no production listener or rule forwards to"):
        deploy_input(
            shared_alb, id="x1", application="shop", slots=["web-blue", "api-green"], images={"a": "b"}
        )


def test_a_listener_given_in_options_wins_and_the_test_rule_is_still_found(shared_alb: World) -> None:
    mine = shared_alb.provisioned.routes["rule api"].arn

    sent = deploy_input(
        shared_alb, id="w1", application="web", images={"web": "w:2"}, options={"listener_arn": mine}
    )

    assert sent["listener_arn"] == mine
    assert sent["test_listener_arn"] == shared_alb.provisioned.routes["rule web-test"].arn
