"""The foundation's acceptance, through the real CLI: scenarios in scenarios/ and the demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fargate_ops_cli.main import cli
from tests.iam.usage_record import assert_usage_recorded

ROOT = Path(__file__).resolve().parents[2]


def run_scenario(name: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["local", "run", str(ROOT / "scenarios" / name), "--output", "json"])
    report: dict[str, Any] = json.loads(result.stdout)
    assert_usage_recorded(ROOT / "scenarios" / name, report)
    return result.exit_code, report


@pytest.fixture(scope="module")
def demo_report() -> dict[str, Any]:
    # The installed console script, as a user runs it.
    script = Path(sys.executable).with_name("fargate-ops")
    completed = subprocess.run(
        [str(script), "demo", "--output", "json"], capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    report: dict[str, Any] = json.loads(completed.stdout)
    assert_usage_recorded(ROOT / "src" / "fargate_ops_cli" / "scenarios" / "demo.yaml", report)
    return report


def test_the_demo_deploy_succeeds_with_all_traffic_on_the_new_slot(demo_report: dict[str, Any]) -> None:
    first = demo_report["deploys"][0]
    assert first["status"] == "SUCCEEDED"
    assert first["final_weights"] == [0, 100]
    assert first["weight_history"][-1]["weights"] and len(first["weight_history"]) >= 2


def test_the_demo_canary_shifts_ten_percent_first_and_passes_its_analysis(
    demo_report: dict[str, Any],
) -> None:
    first = demo_report["deploys"][0]
    assert first["green_weights"] == [10, 100]
    assert [a["verdict"] for a in first["analysis"]] == ["pass"]


def test_the_demo_release_that_crashes_rolls_back_by_itself_and_says_why(demo_report: dict[str, Any]) -> None:
    second = demo_report["deploys"][1]
    assert second["status"] == "ROLLED_BACK"
    assert second["final_weights"] == [0, 100]  # traffic stayed on the live slot
    reason = second["rollback_reason"]
    assert reason["error"] == "GreenCrashLoopError"
    assert {stop["exit_codes"]["web"] for stop in reason["cause"]["stops"]} == {137}


def test_the_demo_tells_the_hands_on_step_by_step(demo_report: dict[str, Any]) -> None:
    notes = [e["text"] for e in demo_report["timeline"] if e["actor"] == "note"]
    assert [n.split(".")[0] for n in notes] == ["1", "2", "3", "4", "5", "6"]
    actors = {e["actor"] for e in demo_report["timeline"]}
    assert {"operator", "ECS", "fargate-ops"} <= actors


def test_the_demo_report_has_every_section_machines_read(demo_report: dict[str, Any]) -> None:
    for key in ("deploys", "services", "events", "api_calls", "state_transitions"):
        assert demo_report[key], key
    assert all(e["ok"] for e in demo_report["expectations"])


def test_all_at_once_goes_live_and_scales_the_old_slot_to_zero() -> None:
    code, report = run_scenario("all-at-once.yaml")
    assert code == 0, [e for e in report["expectations"] if not e["ok"]]
    deploy = report["deploys"][0]
    assert deploy["status"] == "SUCCEEDED"
    assert report["weights"] == {"web-blue-tg": 0, "web-green-tg": 100}


def test_an_image_that_never_becomes_healthy_is_rolled_back_with_traffic_on_blue() -> None:
    code, report = run_scenario("never-healthy.yaml")
    assert code == 0, [e for e in report["expectations"] if not e["ok"]]
    deploy = report["deploys"][0]
    assert deploy["status"] == "ROLLED_BACK"
    assert deploy["final_weights"] == [100, 0]
    assert not report["invariant_violations"]


def test_the_same_scenario_gives_the_same_report_every_run() -> None:
    _, first = run_scenario("never-healthy.yaml")
    _, second = run_scenario("never-healthy.yaml")
    assert first["timeline"] == second["timeline"]
    assert first["api_calls"] == second["api_calls"]


def test_a_bad_scenario_file_exits_2_naming_the_field_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (ROOT / "scenarios" / "all-at-once.yaml").read_text().replace("desired_count: 3", "desired_count: -3")
    )
    result = CliRunner().invoke(cli, ["local", "run", str(bad), "--output", "json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert "bad.yaml:6: world.services.0.desired_count" in error
