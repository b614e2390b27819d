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
