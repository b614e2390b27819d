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

from fargate_ops.domain.redaction import fingerprint
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
    [told] = [n["subject"] for n in report["notifications"] if "ROLLED_BACK" in n["subject"]]
    assert "crash loop: web exit 137" in told[:80]  # the why within what a mail client shows


def _image_missing(report: dict[str, Any]) -> None:
    stops = deploy(report)["rollback_reason"]["stops"]
    assert stops and all(
        s["stop_code"] == "TaskFailedToStart" and s["exit_codes"] == {"web": None} for s in stops
    )
    ecs_said = [
        e["summary"] for e in report["events"] if e["summary"].startswith("web-green: SERVICE_DEPLOYMENT")
    ]
    assert "web-green: SERVICE_DEPLOYMENT_FAILED" in ecs_said  # ECS's circuit breaker gave up on it too


def _never_healthy(report: dict[str, Any]) -> None:
    assert deploy(report)["rollback_reason"]["state"] == "AwaitGreen"


def _alarm_during_bake(report: dict[str, Any]) -> None:
    reason = deploy(report)["rollback_reason"]
    assert reason["state"] == "Bake" and reason["cause"]["alarms"][0]["state"] == "ALARM"


def _alarm_failure_throttled(report: dict[str, Any]) -> None:
    # The alarm's first invocation failed (its SendTaskFailure throttled); Lambda's retry failed the bake.
    assert report["lambda_invocations"]["fargate-ops-ecs-events"]["errors"] == 1
    reason = deploy(report)["rollback_reason"]
    assert reason["cause"]["detected"] == "by the alarm state change event while waiting (bake)"
    assert deploy(report)["weight_history"][-1]["at"] < "2026-01-05T09:06"  # minutes into a 20-minute bake


def _foreign_events(report: dict[str, Any]) -> None:
    foreign = [e for e in report["events"] if (e["account"], e["region"]) != ("123456789012", "us-east-1")]
    said = [e["text"] for e in report["timeline"] if e["actor"] == "fargate-ops"]
    assert len(foreign) == 3
    assert said == ["green ready: wait completed (on web-green: SERVICE_STEADY_STATE)"]  # our own, at 2m30s
    assert next(e for e in report["timeline"] if e["text"] == said[0])["at"] >= "2026-01-05T09:02"


def _alarm_at_start(report: dict[str, Any]) -> None:
    assert "ignore_alarms" in deploy(report)["cause"]
    assert not [c for c in report["api_calls"] if c.startswith("ecs:") and not c.startswith("ecs:Describe")]


def _hotfix_ignore_alarms(report: dict[str, Any]) -> None:
    alarm_states = [e["summary"] for e in report["events"] if "web-5xx" in e["summary"]]
    assert alarm_states[1:] == ["alarm web-5xx OK → ALARM", "alarm web-5xx ALARM → OK"]  # fired throughout
    assert any("ignore_alarms" in note for note in deploy(report)["notes"])


def _listener_edited(report: dict[str, Any]) -> None:
    d = deploy(report)
    assert (
        d["rollback_reason"]["error"] == "ListenerDriftError"
        and d["rollback_reason"]["state"] == "ShiftTraffic"
    )
    assert "left as they are" in d["rollback_reason"]["untouched"]
    history = _routes(report)["80"]["history"]
    assert [h["forward"]["web-green-tg"] for h in history] == [0, 10, 0]  # the deploy's 10%, then the edit
    assert history[-1]["at"] < _when_text(report, "step ShiftTraffic", last=True)  # nothing written after


def _when_text(report: dict[str, Any], prefix: str, last: bool = False) -> str:
    times = [e["at"] for e in report["timeline"] if e["text"].startswith(prefix)]
    return times[-1] if last else times[0]


def _green_task_crashes_in_bake(report: dict[str, Any]) -> None:
    """Green's weight is 0 within one event of the stop: the reaction to the crash's own event took it."""
    d = deploy(report)
    taken = [w for w in d["weight_history"] if w.get("by")]
    assert len(taken) == 1 and list(taken[0]["weights"].values()) == [100, 0]
    crashed = next(e for e in report["timeline"] if "to stop: EssentialContainerExited" in e["text"])
    reaction = next(e for e in report["timeline"] if "its weight went back to blue" in e["text"])
    assert reaction["at"] == crashed["at"] and _when(taken[0]["at"]) == _when(crashed["at"])
    assert "rollback_reason" not in d or not d["rollback_reason"]  # one stop is no crash loop


def _blue_scaled_out(report: dict[str, Any]) -> None:
    green = next(s for s in report["services"] if s["name"] == "web-green")
    assert green["desired"] == green["running"] == 4
    states = [e["text"] for e in report["timeline"] if e["actor"] == "deploy d1"]
    assert any(text.startswith("step AwaitStepReady") for text in states)  # green grew, then got 100%


def _analysis_fails(report: dict[str, Any]) -> None:
    analysis = deploy(report)["analysis"][0]
    assert analysis["green"]["error_rate"] == pytest.approx(0.05) and analysis["blue"]["error_rate"] == 0


def _when(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _canary_one_minute_steps(report: dict[str, Any]) -> None:
    """No step passes on green requests it did not see: each pass counts green requests, all of them
    within its own step (after its shift, before its analysis ended it), at that step's weights."""
    d = deploy(report)
    rpm = 1200  # the scenario's traffic
    shifted = {w["step_index"]: _when(w["at"]) for w in d["weight_history"] if "step_index" in w}
    passed = [a for a in d["analysis"] if a["verdict"] == "pass"]
    assert len(passed) == 2
    for entry in passed:
        window, step = entry["window"], d["steps"][entry["step_index"]]
        assert entry["green"]["requests"] > 0
        assert _when(window["start"]) >= shifted[entry["step_index"]]
        assert _when(window["end"]) <= _when(entry["at"])
        assert entry["green"]["requests"] == rpm * step["percent"] // 100 * window["minutes"]
        assert entry["data"]["waited_seconds"] > 0  # right after the bake, CloudWatch had none of it


def _analysis_inconclusive(report: dict[str, Any]) -> None:
    d = deploy(report)
    entry = d["analysis"][0]
    assert entry["policy"] == "fail" and entry["data"]["missing_minutes"]
    assert d["rollback_reason"]["error"] == "AnalysisInconclusiveError"


def _analysis_inconclusive_pause(report: dict[str, Any]) -> None:
    d = deploy(report)
    assert d["analysis"][0]["policy"] == "pause"
    states = [e["text"] for e in report["timeline"] if e["actor"] == "deploy d1"]
    assert sum(text.startswith("step AwaitApproval") for text in states) == 1  # the plan had no gate
    assert any("approve sent" in e["text"] for e in report["timeline"] if e["actor"] == "operator")


def _step_fails_once(report: dict[str, Any]) -> None:
    assert any("TransientError" in e["text"] for e in report["timeline"])  # retried, then succeeded


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


def _routes(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every listener default action (by port) and rule (by name), from the report's `listeners`."""
    routes = {str(listener["port"]): listener["default"] for listener in report["listeners"]}
    routes.update({rule["name"]: rule for listener in report["listeners"] for rule in listener["rules"]})
    return routes


def _started(report: dict[str, Any], deploy_id: str) -> str:
    return next(e["at"] for e in report["timeline"] if e["text"].startswith(f"starts deploy {deploy_id}:"))


def _two_applications(report: dict[str, Any]) -> None:
    rules = _routes(report)
    web_writes = [h["at"] for h in rules["web"]["history"][1:]]  # after the rule as created
    api_writes = [h["at"] for h in rules["api"]["history"][1:]]
    api_started = _started(report, "api-v2")
    assert len(web_writes) == 2 and all(at < api_started for at in web_writes)  # 10%, then 100%: web-v2's
    assert len(api_writes) == 2 and all(at > api_started for at in api_writes)  # api-v2's, and only those
    for deploy_id, app in (("web-v2", "web"), ("api-v2", "api")):
        written = {tg for entry in deploy(report, deploy_id)["weight_history"] for tg in entry["weights"]}
        assert written and all(f":targetgroup/{app}-" in tg for tg in written)
    assert rules["web"]["forward"] == {"web-blue-tg": 0, "web-green-tg": 100}
    assert rules["api"]["forward"] == {"api-blue-tg": 0, "api-green-tg": 100}
    assert "elasticloadbalancing:ModifyListener" not in report["api_calls"]


def _second_application(report: dict[str, Any]) -> None:
    second = deploy(report, "d2")
    assert second["state_transitions"] <= 3 and not second["weight_history"]
    writes = [h["forward"] for h in _routes(report)["80"]["history"][1:]]
    assert writes == [{"web-blue-tg": 90, "web-green-tg": 10}, {"web-blue-tg": 0, "web-green-tg": 100}]


def _two_applications_at_once(report: dict[str, Any]) -> None:
    rules = _routes(report)
    assert _started(report, "web-v2") == _started(report, "api-v2")
    for deploy_id, app, other in (("web-v2", "web", "api"), ("api-v2", "api", "web")):
        written = {tg for entry in deploy(report, deploy_id)["weight_history"] for tg in entry["weights"]}
        assert written and all(f":targetgroup/{app}-" in tg for tg in written)
        forwards = [h["forward"] for h in rules[app]["history"]]
        assert len(forwards) == 3 and all(set(f) == {f"{app}-blue-tg", f"{app}-green-tg"} for f in forwards)
        assert all(f"{other}-" not in tg for f in forwards for tg in f)
    assert rules["web"]["forward"] == {"web-blue-tg": 0, "web-green-tg": 100}
    assert rules["api"]["forward"] == {"api-blue-tg": 0, "api-green-tg": 100}
    assert "elasticloadbalancing:ModifyListener" not in report["api_calls"]


READS = ("Describe", "Get", "List", "Query", "Scan", "BatchGet", "Invoke")


def _forged_document(report: dict[str, Any]) -> None:
    forged = [e["text"] for e in report["timeline"] if "deploy-step function directly" in e["text"]]
    assert len(forged) == 6 and all("refused" in t and "UntrustedDocumentError" in t for t in forged)
    writes = [call for call in report["api_calls"] if not call.split(":", 1)[1].startswith(READS)]
    assert writes == [], writes  # no write of any kind: not a task definition, a weight, a lease or a record
    production = [h["forward"] for h in _routes(report)["80"]["history"]]
    assert production == [{"web-blue-tg": 100, "web-green-tg": 0}]  # as created, never written


def _long_validation_and_approval(report: dict[str, Any]) -> None:
    from fargate_ops.domain.deploy_duration import DeployWaits, lease_seconds

    granted = lease_seconds(  # what AcquireLease granted this plan, before any renewal
        DeployWaits(600, 1, (60, 0, 0), 3600, 3, 0, 0, validation_hook=True, rollback_window_seconds=60)
    )
    d1_started, d2_started = _when(_started(report, "d1")), _when(_started(report, "d2"))
    assert d2_started > d1_started + granted  # the first lease would have run out by then
    assert "ran out" not in deploy(report, "d2")["cause"]  # refused on a renewed lease, not a running one
    hook = [e for e in report["timeline"] if e["text"].startswith(("step ValidationHook", "step NextStep"))]
    assert _when(hook[1]["at"]) - _when(hook[0]["at"]) == 840  # the hook really soaked for 14 minutes


def _same_deploy_id(report: dict[str, Any]) -> None:
    operator = [e["text"] for e in report["timeline"] if e["actor"] == "operator"]
    assert "deploy d1 attaches to its execution (RUNNING)" in operator
    assert any(t.startswith("deploy d1 refused (exit 2)") and "different input" in t for t in operator)
    assert list(report["state_transitions"]) == ["d1"]  # one execution: nothing started twice
    images = {s["name"]: s["containers"]["web"]["image"] for s in report["services"]}
    assert images["web-green"] == "shop:v2"  # the refused input's image went nowhere


def _validation_hook(report: dict[str, Any]) -> None:
    routes = _routes(report)
    test_to_green = routes["8080"]["history"][1]
    first_shift = routes["80"]["history"][1]
    assert test_to_green["forward"] == {"web-blue-tg": 0, "web-green-tg": 100}
    assert test_to_green["at"] <= first_shift["at"] and first_shift["forward"]["web-green-tg"] == 10
    assert report["lambda_invocations"]["fargate-ops-hook-smoke"] == {
        "invocations": 1,
        "errors": 0,
        "peak_bytes": 0,
    }
    assert any("test listener" in note for note in deploy(report)["notes"])


def _validation_hook_fails(report: dict[str, Any]) -> None:
    reason = deploy(report)["rollback_reason"]
    assert reason["state"] == "ValidationHook" and reason["error"] == "ValidationFailedError"
    assert "release candidates do not get production traffic" in reason["cause"]["errorMessage"]
    routes = _routes(report)
    assert [h["forward"]["web-green-tg"] for h in routes["web-test"]["history"]] == [0, 100, 0]  # and back
    assert len(routes["web"]["history"]) == 1  # production never moved
    assert report["lambda_invocations"]["fargate-ops-hook-no-rc"]["errors"] == 1


def _environment_only(report: dict[str, Any]) -> None:
    services = {s["name"]: s for s in report["services"]}
    green, blue = services["web-green"]["containers"]["web"], services["web-blue"]["containers"]["web"]
    assert green["image"] == blue["image"] == "shop:v1"
    # The report shows values hashed (redaction.py): the same value, the same hash.
    assert green["environment"] == {"LOG_LEVEL": fingerprint("info"), "FEATURE_CHECKOUT": fingerprint("on")}
    assert blue["environment"] == {"LEGACY_MODE": fingerprint("1"), "LOG_LEVEL": fingerprint("info")}


def _secret_environment(report: dict[str, Any]) -> None:
    # tests/local/test_no_secret_in_any_output.py searches every output; here, what the report shows.
    green = next(s for s in report["services"] if s["name"] == "web-green")["containers"]["web"]
    assert green["environment"] == {"DB_PASSWORD": fingerprint("s3cr3t-VALUE-123")}
    assert "s3cr3t-VALUE-123" not in json.dumps(report)


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
    # The reactions count a crash from ECS's decision to stop the task (desiredStatus STOPPED, its first
    # event), minutes before it is STOPPED.
    stopped = next(e["at"] for e in report["timeline"] if "to stop:" in e["text"] and "exit 137" in e["text"])
    lag = (datetime.fromisoformat(stopped) - datetime.fromisoformat(parked)).total_seconds()
    assert 0 < lag < 5, f"the stops came {lag:.1f}s after the park: retime the scenario's crash"


def _rollback_fails_always(report: dict[str, Any]) -> None:
    reason = deploy(report)["rollback_reason"]
    assert reason["traffic"] == "web-blue 90 / web-green 10"  # ROLLBACK_FAILED recorded the live weights
    assert reason["lease"] == "held until recovered" and reason["recovered"]["by"].startswith("an operator")
    states = {e["text"].split(":")[0]: e["at"] for e in report["timeline"] if e["actor"] == "deploy d1"}
    gave_up = (_at(states["step RecordRollbackFailed"]) - _at(states["step Rollback"])).total_seconds() / 60
    assert 15 <= gave_up <= 45, gave_up  # the compensation's long retry budget
    assert sum(n["message"].get("deploy_id") == "d1" for n in report["notifications"]) == 1  # one, urgent


def _stop_execution(report: dict[str, Any]) -> None:
    d = deploy(report)
    assert (d["execution_status"], d["rollback_reason"]["recovered"]["by"]) == ("ABORTED", "the reconciler")
    assert d["rollback_reason"]["error"] == "OperatorStopped"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


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
    "image-missing": _image_missing,
    "never-healthy": _never_healthy,
    "alarm-during-bake": _alarm_during_bake,
    "alarm-at-start": _alarm_at_start,
    "listener-edited": _listener_edited,
    "green-task-crashes-in-bake": _green_task_crashes_in_bake,
    "blue-scaled-out": _blue_scaled_out,
    "hotfix-ignore-alarms": _hotfix_ignore_alarms,
    "alarm-failure-throttled": _alarm_failure_throttled,
    "foreign-events": _foreign_events,
    "analysis-fails": _analysis_fails,
    "analysis-inconclusive": _analysis_inconclusive,
    "analysis-inconclusive-pause": _analysis_inconclusive_pause,
    "canary-one-minute-steps": _canary_one_minute_steps,
    "step-fails-once": _step_fails_once,
    "step-fails-always": _step_fails_always,
    "throttling": _throttling,
    "second-deploy": _second_deploy,
    "duplicate-events": _duplicate_events,
    "two-applications": _two_applications,
    "two-applications-at-once": _two_applications_at_once,
    "second-application": _second_application,
    "forged-document": _forged_document,
    "long-validation-and-approval": _long_validation_and_approval,
    "same-deploy-id": _same_deploy_id,
    "validation-hook": _validation_hook,
    "validation-hook-fails": _validation_hook_fails,
    "environment-only": _environment_only,
    "secret-environment": _secret_environment,
    "concurrent-crashes": _concurrent_crashes,
    "event-after-park": _event_after_park,
    "rollback-fails-always": _rollback_fails_always,
    "stop-execution": _stop_execution,
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
    scenario["run_for"] = f"{bake_minutes + 10}m"  # the bake, then ~3 minutes for CloudWatch's metrics
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
