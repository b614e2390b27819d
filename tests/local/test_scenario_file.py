"""Scenario files: a bad file is refused with the field and the line, before anything runs."""

import pytest

from fargate_ops_cli.local.scenario import ScenarioError, loads, parse_duration

GOOD = """\
name: ok
world:
  services:
    - {name: web-blue, image: "app:v1", desired_count: 2}
    - {name: web-green, image: "app:v1", desired_count: 0}
timeline:
  - at: 1m
    deploy: {id: d1, application: web, images: {web: "app:v2"}}
run_for: 30m
"""


def test_a_good_scenario_loads_with_durations_in_seconds() -> None:
    scenario = loads(GOOD)
    assert scenario.run_for == 1800
    assert scenario.timeline[0].at == 60
    assert scenario.timeline[0].kind == "deploy"


def test_a_wrong_type_names_the_field_and_its_line() -> None:
    bad = GOOD.replace('images: {web: "app:v2"}', 'images: "app:v2"')
    with pytest.raises(ScenarioError) as caught:
        loads(bad, "bad.yaml")
    assert "bad.yaml:8: timeline.0.deploy.images" in str(caught.value)


def test_an_unknown_field_is_refused_with_its_line() -> None:
    bad = GOOD.replace("run_for: 30m", "run_for: 30m\nrun_forever: true")
    with pytest.raises(ScenarioError) as caught:
        loads(bad, "bad.yaml")
    assert "bad.yaml:10: run_forever" in str(caught.value)


def test_a_step_with_two_actions_is_refused() -> None:
    bad = GOOD.replace("  - at: 1m\n", "  - at: 1m\n    note: hello\n")
    with pytest.raises(ScenarioError, match="exactly one action"):
        loads(bad)


def test_a_step_after_the_end_of_the_run_is_refused() -> None:
    with pytest.raises(ScenarioError, match="after run_for"):
        loads(GOOD.replace("run_for: 30m", "run_for: 30s"))


def test_a_spot_interruption_of_a_service_not_on_fargate_spot_is_refused() -> None:
    spot = GOOD.replace("run_for: 30m", "run_for: 30m").replace(
        '  - at: 1m\n    deploy: {id: d1, application: web, images: {web: "app:v2"}}',
        "  - at: 1m\n    spot_interruption: {service: web-blue, tasks: 1}",
    )
    with pytest.raises(ScenarioError, match="does not run on FARGATE_SPOT"):
        loads(spot)
    on_spot = spot.replace("desired_count: 2}", "desired_count: 2, capacity_provider: FARGATE_SPOT}")
    assert loads(on_spot).timeline[0].kind == "spot_interruption"


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(ScenarioError, match=r"bad.yaml: line \d+ not valid YAML"):
        loads("name: [unclosed\nworld: {}\n", "bad.yaml")


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("5m", 300), ("1h30m", 5400), (45, 45)]
)
def test_durations_read_as_people_write_them(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5 minutes", "-3", "1d"])
def test_durations_that_are_not_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


TWO_RULES = """\
name: shared-alb
world:
  services:
    - {name: web-blue, image: "app:v1", desired_count: 2}
    - {name: web-green, image: "app:v1", desired_count: 0}
  load_balancer:
    listeners:
      - port: 80
        rules:
          - {name: web, priority: 10, conditions: {path: ["/*"]}, forward: [web-blue-tg, web-green-tg]}
  hooks:
    - {name: fargate-ops-hook-smoke, file: hooks/smoke.py}
timeline:
  - at: 1m
    edit_listener: {rule: web, forward: {web-blue-tg: 100, web-green-tg: 0}}
  - at: 2m
    deploy:
      id: d1
      application: web
      environment: {web: {FLAG: "on"}}
      validation_hook: fargate-ops-hook-smoke
  - at: 3m
    send_event: {file: e.json, as_service: web-green, account: "999999999999", region: eu-west-1}
run_for: 30m
"""


def test_a_third_party_edit_an_environment_only_deploy_and_a_foreign_event_load() -> None:
    scenario = loads(TWO_RULES)

    edit, deploy, send = (step.action for step in scenario.timeline)
    assert edit.route == "rule web" and edit.forward == {"web-blue-tg": 100, "web-green-tg": 0}
    assert deploy.change() == {"environment": {"web": {"FLAG": "on"}}}
    assert (send.account, send.region) == ("999999999999", "eu-west-1")


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [
        (
            "edit_listener: {rule: web,",
            "edit_listener: {rule: wbe,",
            "15: timeline.0.edit_listener.rule: Value error, the world has no rule wbe",
        ),
        (
            "web-green-tg: 0}}",
            "web-gren-tg: 0}}",
            "15: timeline.0.edit_listener.forward.web-gren-tg: Value error, unknown target group",
        ),
        (
            "edit_listener: {rule: web,",
            "edit_listener: {rule: web, listener: 80,",
            "15: timeline.0.edit_listener: Value error, give exactly one of rule",
        ),
        (
            "validation_hook: fargate-ops-hook-smoke\n",
            "validation_hook: hook-nope\n",
            "21: timeline.1.deploy.validation_hook: Value error, the world has no hook 'hook-nope'",
        ),
        (
            'environment: {web: {FLAG: "on"}}',
            "strategy: all-at-once",
            "17: timeline.1.deploy: Value error, give",
        ),
        (
            'account: "999999999999"',
            'account: "9999"',
            "23: timeline.2.send_event.account: String should match pattern",
        ),
    ],
    ids=[
        "unknown rule",
        "unknown target group",
        "rule and listener",
        "unknown hook",
        "no change",
        "bad account",
    ],
)
def test_a_timeline_that_names_what_the_world_lacks_is_refused_at_its_line(
    old: str, new: str, found: str
) -> None:
    assert old in TWO_RULES
    with pytest.raises(ScenarioError) as caught:
        loads(TWO_RULES.replace(old, new), "shared.yaml")

    assert f"shared.yaml:{found}" in str(caught.value)
