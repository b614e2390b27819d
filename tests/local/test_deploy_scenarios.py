"""The deploy engine's acceptance: every scenario in scenarios/deploy/, run through `fargate-ops local run`.

Each scenario carries its own `expect:` block (status, weights, green's weight steps, analysis verdicts,
the error name, services, invariants), so exit code 0 already means it ended as expected; the tests
below add what a reader of the issue wants to see spelled out. One scenario per test: pytest -n 2
spreads them over both cores.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from fargate_ops_cli.main import cli
from tests.iam.usage_record import assert_usage_recorded

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios" / "deploy"
CANARY_GOAL = 40  # state transitions of a canary deploy (issue 3)


def run_scenario(path: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["local", "run", str(path), "--output", "json"])
    try:
        report: dict[str, Any] = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise AssertionError(
            f"{path.name}: no JSON report (exit {result.exit_code}): {result.output[-3000:]}"
        ) from None
    assert_usage_recorded(path, report)
    return result.exit_code, report


def unmet(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in report.get("expectations", []) if not e["ok"]]


def deploy(report: dict[str, Any], deploy_id: str = "d1") -> dict[str, Any]:
    return next(d for d in report["deploys"] if d["id"] == deploy_id)


def test_every_scenario_file_has_expectations_and_a_test() -> None:
    files = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))

    assert files == sorted(EXTRA_CHECKS), "add the new scenario to EXTRA_CHECKS"
    for path in SCENARIOS.glob("*.yaml"):
        assert yaml.safe_load(path.read_text()).get("expect"), path.name


# What each scenario shows beyond its own expect: block ------------------------------------------------


def _all_at_once(report: dict[str, Any]) -> None:
    assert deploy(report)["steps"] == [{"percent": 100, "bake_seconds": 0, "gate": None}]


def _canary(report: dict[str, Any]) -> None:
    d = deploy(report)
    assert d["state_transitions"] <= CANARY_GOAL
    analysis = d["analysis"][0]
    assert analysis["green"]["requests"] > 0 and analysis["blue"]["requests"] > analysis["green"]["requests"]


def _linear(report: dict[str, Any]) -> None:
    assert len(deploy(report)["steps"]) == 10


def _custom_steps(report: dict[str, Any]) -> None:
    assert [s["percent"] for s in deploy(report)["steps"]] == [1, 5, 25, 100]


def _scale_with_traffic(report: dict[str, Any]) -> None:
    states = [e["text"] for e in report["timeline"] if e["actor"] == "deploy d1"]
    assert any(text.startswith("step AwaitStepReady") for text in states)  # green grew before its share


def _adopt(report: dict[str, Any]) -> None:
    assert any("adopted web" in note for note in deploy(report)["notes"])


def _approval(report: dict[str, Any]) -> None:
    operator = [e["text"] for e in report["timeline"] if e["actor"] == "operator"]
    assert any("approve refused" in text for text in operator)
    assert sum("approve sent" in text for text in operator) == 2
    assert [s.get("gate") for s in deploy(report)["steps"]] == ["approval", "approval", None]


def _promote(report: dict[str, Any]) -> None:
    assert deploy(report)["analysis"][0].get("promoted") == "bake ended early"


def _promote_full(report: dict[str, Any]) -> None:
    assert deploy(report)["analysis"][0].get("promoted") == "full"


def _abort(report: dict[str, Any]) -> None:
    assert deploy(report)["rollback_reason"]["error"] == "DeployAbortedError"


def _rollback_after_success(report: dict[str, Any]) -> None:
    d = deploy(report)
    assert d["execution_status"] == "FAILED" and d["rollback_reason"]["summary"] == "manual rollback"
    assert any("promote refused" in e["text"] for e in report["timeline"] if e["actor"] == "operator")


def _crash_loop(report: dict[str, Any]) -> None:
    stops = deploy(report)["rollback_reason"]["stops"]
    assert len(stops) == 3 and all(s["exit_codes"] == {"web": 137} for s in stops)


def _never_healthy(report: dict[str, Any]) -> None:
    assert deploy(report)["rollback_reason"]["state"] == "AwaitGreen"


def _alarm_during_bake(report: dict[str, Any]) -> None:
    reason = deploy(report)["rollback_reason"]
    assert reason["state"] == "Bake" and reason["cause"]["alarms"][0]["state"] == "ALARM"


def _alarm_at_start(report: dict[str, Any]) -> None:
    assert "ignore_alarms" in deploy(report)["cause"]
    assert not [c for c in report["api_calls"] if c.startswith("ecs:") and not c.startswith("ecs:Describe")]


def _analysis_fails(report: dict[str, Any]) -> None:
    analysis = deploy(report)["analysis"][0]
    assert analysis["green"]["error_rate"] == pytest.approx(0.05) and analysis["blue"]["error_rate"] == 0


def _step_fails_once(report: dict[str, Any]) -> None:
    assert any("InjectedFaultError" in e["text"] for e in report["timeline"])


def _step_fails_always(report: dict[str, Any]) -> None:
    assert deploy(report)["rollback_reason"]["state"] == "ShiftTraffic"


def _throttling(report: dict[str, Any]) -> None:
    throttled = [e for e in report["timeline"] if "ThrottlingError" in e["text"]]
    assert throttled, "the fault was injected"


def _second_deploy(report: dict[str, Any]) -> None:
    second = deploy(report, "d2")
    assert second["state_transitions"] <= 3 and not second["weight_history"]


def _duplicate_events(report: dict[str, Any]) -> None:
    ready = [e for e in report["timeline"] if e["text"].startswith("green ready: wait completed")]
    assert len(ready) == 1


def _failed_by_the_crash_loop_once(report: dict[str, Any]) -> None:
    failed = [e for e in report["timeline"] if e["text"].startswith("crash loop: wait failed")]
    assert len(failed) == 1
    assert report["runtime"]["peak_concurrent_invocations"] >= 2  # the stops really were concurrent


def _concurrent_crashes(report: dict[str, Any]) -> None:
    _failed_by_the_crash_loop_once(report)
    reason = deploy(report)["rollback_reason"]
    assert reason["state"] == "AwaitGreen" and len(reason["stops"]) == 3


def _event_after_park(report: dict[str, Any]) -> None:
    _failed_by_the_crash_loop_once(report)
    assert deploy(report)["rollback_reason"]["state"] == "AwaitApproval"
    # The race the scenario is about: green's stops come within the read lag of the approval wait's park.
    parked = next(e["at"] for e in report["timeline"] if e["text"].startswith("step AwaitApproval"))
    stopped = next(e["at"] for e in report["timeline"] if "STOPPED" in e["text"] and "exit 137" in e["text"])
    lag = (datetime.fromisoformat(stopped) - datetime.fromisoformat(parked)).total_seconds()
    assert 0 < lag < 5, f"the stops came {lag:.1f}s after the park: retime the scenario's crash"


EXTRA_CHECKS = {
    "all-at-once": _all_at_once,
    "canary": _canary,
    "linear": _linear,
    "custom-steps": _custom_steps,
    "scale-with-traffic": _scale_with_traffic,
    "adopt-single-service": _adopt,
    "approval-gate": _approval,
    "promote": _promote,
    "promote-full": _promote_full,
    "abort": _abort,
    "rollback-after-success": _rollback_after_success,
    "crash-loop": _crash_loop,
    "never-healthy": _never_healthy,
    "alarm-during-bake": _alarm_during_bake,
    "alarm-at-start": _alarm_at_start,
    "analysis-fails": _analysis_fails,
    "step-fails-once": _step_fails_once,
    "step-fails-always": _step_fails_always,
    "throttling": _throttling,
    "second-deploy": _second_deploy,
    "duplicate-events": _duplicate_events,
    "concurrent-crashes": _concurrent_crashes,
    "event-after-park": _event_after_park,
}


@pytest.mark.parametrize("name", sorted(EXTRA_CHECKS))
def test_the_scenario_ends_as_expected_with_the_invariants_held(name: str) -> None:
    code, report = run_scenario(SCENARIOS / f"{name}.yaml")

    assert code == 0, unmet(report) or report["invariant_violations"]
    assert not report["invariant_violations"]
    EXTRA_CHECKS[name](report)


# State transitions do not grow with the bake ------------------------------------------------------------


def canary_transitions(bake_minutes: int, folder: Path) -> int:
    """State transitions of one canary deploy (10%, bake, 100%) whose bake lasts ``bake_minutes``."""
    scenario = yaml.safe_load((SCENARIOS / "canary.yaml").read_text())
    scenario["name"] = f"canary-{bake_minutes}m"
    scenario["timeline"][0]["deploy"]["strategy"]["bake"] = f"{bake_minutes}m"
    scenario["run_for"] = f"{bake_minutes + 6}m"
    scenario.pop("expect")
    path = folder / f"canary-{bake_minutes}m.yaml"
    path.write_text(yaml.safe_dump(scenario))
    code, report = run_scenario(path)
    assert code == 0 and deploy(report)["status"] == "SUCCEEDED", report["deploys"]
    return int(deploy(report)["state_transitions"])


def test_a_canary_costs_the_same_state_transitions_for_a_1_10_or_60_minute_bake(tmp_path: Path) -> None:
    counts = {minutes: canary_transitions(minutes, tmp_path) for minutes in (1, 10, 60)}

    print(f"canary state transitions by bake minutes: {counts}")
    assert len(set(counts.values())) == 1, counts
    assert counts[60] <= CANARY_GOAL
