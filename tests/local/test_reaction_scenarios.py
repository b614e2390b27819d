"""Issue 4's acceptance, through the real CLI: `fargate-ops local run scenarios/reactions/*.yaml`.

Each scenario deploys the real template into the local runtime, runs the Fargate simulator, and the
real ECS events handler reacts to what the simulator emits (through the template's own rule patterns).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fargate_ops_cli.main import cli
from tests.iam.usage_record import assert_usage_recorded

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios" / "reactions"

pytestmark = [pytest.mark.local, pytest.mark.slow]


def run(name: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["local", "run", str(SCENARIOS / name), "--output", "json"])
    assert result.stdout.startswith("{"), result.output[-3000:]
    report: dict[str, Any] = json.loads(result.stdout)
    assert_usage_recorded(SCENARIOS / name, report)
    return result.exit_code, report


def unmet(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in report["expectations"] if not e["ok"]]


def reactions(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        n for n in report["notifications"] if n["message"].get("fargate_ops", {}).get("origin") == "reactions"
    ]


def stops_of(report: dict[str, Any], service: str) -> list[dict[str, Any]]:
    return [
        e
        for e in report["events"]
        if e["summary"].startswith(f"{service} task") and "STOPPED" in e["summary"]
    ]


@pytest.fixture(scope="module")
def crash_loop() -> tuple[int, dict[str, Any]]:
    return run("crash-loop.yaml")


def test_a_crash_loop_scenario_meets_its_expectations(crash_loop: tuple[int, dict[str, Any]]) -> None:
    code, report = crash_loop
    assert code == 0, unmet(report)


def test_three_crashes_in_five_minutes_make_exactly_one_notification_with_the_exit_code_and_reason(
    crash_loop: tuple[int, dict[str, Any]],
) -> None:
    _, report = crash_loop
    early = [e for e in stops_of(report, "api") if e["time"] < "2026-01-05T09:06:00Z"]

    [message] = reactions(report)

    assert len(early) >= 3  # the world did crash three times (and more) within five minutes
    assert len(stops_of(report, "api")) > 3  # and kept crashing after the notification
    facts = message["message"]["fargate_ops"]
    assert facts["kind"] == "crash_loop"
    assert "exit 137" in message["subject"]
    app = next(c for c in facts["latest"]["containers"] if c["name"] == "app")
    assert (app["exit_code"], app["reason"]) == (
        137,
        "OutOfMemoryError: Container killed due to memory usage",
    )
    assert facts["latest"]["revision"] == "api:1" and app["image"] == "api:v7"
    assert facts["logs"]["note"].startswith("logs are not configured")


def test_duplicated_and_reordered_deliveries_still_make_exactly_one_notification() -> None:
    code, report = run("crash-loop-unreliable-delivery.yaml")
    stops = [(e["time"], e["summary"]) for e in stops_of(report, "api")]
    out_of_order = sum(1 for i, a in enumerate(stops) for b in stops[i + 1 :] if b[0] < a[0])
    duplicated = len(stops) - len(set(stops))

    assert code == 0, unmet(report)
    assert out_of_order > 0 and duplicated > 0  # the scenario did shake the delivery
    assert report["runtime"]["peak_concurrent_invocations"] >= 2  # and ran copies side by side
    assert len(reactions(report)) == 1


def test_copies_delivered_at_once_to_concurrent_invocations_still_make_exactly_one_notification() -> None:
    code, report = run("concurrent-copies.yaml")

    assert code == 0, unmet(report)
    assert len(reactions(report)) == 1
    assert report["runtime"]["peak_concurrent_invocations"] >= 3  # the copies really ran at once
    assert report["dead_letters"] == 0  # no invocation gave up on a conflict


def test_a_deploys_own_stops_and_a_scale_in_make_no_reaction_notification() -> None:
    code, report = run("deploy-and-scale-in.yaml")

    assert code == 0, unmet(report)
    assert report["deploys"][0]["status"] == "SUCCEEDED"
    assert len(stops_of(report, "web-blue")) == 3 and len(stops_of(report, "worker")) == 3
    assert reactions(report) == []
    assert report["lambda_invocations"]["fargate-ops-ecs-events"]["errors"] == 0


def test_a_placement_failure_makes_one_notification() -> None:
    code, report = run("placement-failure.yaml")

    assert code == 0, unmet(report)
    [message] = reactions(report)
    assert message["subject"] == "fargate-ops: api in shop: ECS cannot place tasks (RESOURCE:FARGATE)"


def test_one_task_of_three_crashing_is_recorded_and_told_to_nobody() -> None:
    code, report = run("one-task-crashes.yaml")

    assert code == 0, unmet(report)
    [crash] = stops_of(report, "api")
    assert "EssentialContainerExited" in crash["summary"] and "app exit 139" in crash["summary"]
    assert reactions(report) == []


def test_fargate_spot_interruptions_are_told_once_from_their_two_minute_notices() -> None:
    code, report = run("spot-interruptions.yaml")

    assert code == 0, unmet(report)
    [message] = reactions(report)
    facts = message["message"]["fargate_ops"]
    # The fifth notice (second wave, 09:10) tells it, two minutes before those tasks are taken away.
    assert (facts["kind"], facts["interruptions"], facts["at"]) == (
        "spot_interruptions",
        5,
        "2026-01-05T09:10:00Z",
    )
    stopped = stops_of(report, "api")
    assert len(stopped) == 6 and all("SpotInterruption" in e["summary"] for e in stopped)
