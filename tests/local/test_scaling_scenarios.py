"""Scheduled scaling's acceptance: every scenario in scenarios/scaling/, run through `fargate-ops local run`.

Each scenario carries the capacities expected at its checked instants (`expect: capacities:`), so exit
code 0 already means the service held them; the tests add what the issue asks to see: changes landing
at the window edge (not at the next periodic run), an override expiring by itself, a missed run healed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fargate_ops_cli.main import cli
from tests.iam.usage_record import assert_usage_recorded
from tests.local.test_deploy_scenarios import unmet

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios" / "scaling"
pytestmark = pytest.mark.xdist_group("scaling-scenarios")


def run_scenario(path: Path) -> tuple[int, dict[str, Any]]:
    import json

    result = CliRunner().invoke(cli, ["local", "run", str(path), "--output", "json"])
    return result.exit_code, json.loads(result.stdout)


def actions(report: dict[str, Any]) -> list[tuple[str, int | None, str]]:
    return [(a["at"], a["desired"], a["reason"]) for a in report["scaling"]["actions"]]


def test_every_scaling_scenario_has_capacities_to_check_and_a_test() -> None:
    files = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
    tested = {
        "tokyo-office-week",
        "expiring-override",
        "missed-run-healed",
        "target-tracking-inside-bounds",
        "new-york-dst",
        "pre-peak-warm-up",
        "image-gone",
        "deploy-across-edge",
        "idle-slot-before-first-deploy",
    }
    assert set(files) == tested
    for name in files:
        assert "capacities:" in (SCENARIOS / f"{name}.yaml").read_text()


def test_a_week_of_tokyo_office_hours_skips_the_public_holiday_and_changes_exactly_at_the_edges() -> None:
    code, report = run_scenario(SCENARIOS / "tokyo-office-week.yaml")

    assert code == 0, unmet(report)
    # Monday 2026-11-23 is Labor Thanksgiving Day: the first office hours are Tuesday's, at 09:00 JST
    # sharp (00:00 UTC), although the periodic run comes at 37 minutes past the hour.
    assert actions(report)[:2] == [
        ("2026-11-24T00:00:00+00:00", 3, "period office-hours"),
        ("2026-11-24T09:00:00+00:00", 0, "default"),
    ]
    assert len(actions(report)) == 8  # four office days, up and down, nothing else
    assert report["iam"]["denials"] == []
    assert_usage_recorded(SCENARIOS / "tokyo-office-week.yaml", report)


def test_an_override_wins_at_once_and_expires_on_time_by_itself() -> None:
    code, report = run_scenario(SCENARIOS / "expiring-override.yaml")

    assert code == 0, unmet(report)
    done = actions(report)
    assert done[1][:2] == ("2026-11-24T10:00:00+00:00", 4) and done[1][2].startswith("override of api")
    assert done[2] == ("2026-11-24T14:00:00+00:00", 0, "default")  # 23:00 in Tokyo
    assert_usage_recorded(SCENARIOS / "expiring-override.yaml", report)


def test_a_missed_run_at_the_edge_is_healed_by_the_next_periodic_run() -> None:
    code, report = run_scenario(SCENARIOS / "missed-run-healed.yaml")

    assert code == 0, unmet(report)
    assert "2026-11-25T00:00:00Z" in report["scaling"]["missed_runs"]  # the edge's own run
    assert actions(report) == [("2026-11-25T00:15:00+00:00", 3, "period office-hours")]
    assert_usage_recorded(SCENARIOS / "missed-run-healed.yaml", report)


def test_with_autoscaling_the_schedule_sets_only_bounds_and_target_tracking_keeps_working() -> None:
    code, report = run_scenario(SCENARIOS / "target-tracking-inside-bounds.yaml")

    assert code == 0, unmet(report)
    bounds = [(a["at"], a["desired"], a["min"], a["max"]) for a in report["scaling"]["actions"]]
    assert bounds == [
        ("2026-11-24T23:30:00+00:00", None, 2, 4),  # the first run: the night's bounds, no desiredCount
        ("2026-11-25T00:00:00+00:00", None, 4, 10),
    ]
    assert report["api_calls"].get("ecs:UpdateService", 0) == 0  # the application never wrote desiredCount
    assert_usage_recorded(SCENARIOS / "target-tracking-inside-bounds.yaml", report)


def test_across_the_spring_forward_night_the_batch_lasts_two_hours_and_office_hours_move_in_utc() -> None:
    code, report = run_scenario(SCENARIOS / "new-york-dst.yaml")

    assert code == 0, unmet(report)
    assert [(a["at"], a["desired"]) for a in report["scaling"]["actions"]][1:] == [
        ("2026-03-08T06:00:00+00:00", 1),  # 01:00 EST
        ("2026-03-08T08:00:00+00:00", 0),  # 04:00 EDT: 02:00-03:00 did not exist
        ("2026-03-09T05:00:00+00:00", 1),  # 01:00 EDT
        ("2026-03-09T08:00:00+00:00", 0),
        ("2026-03-09T12:00:00+00:00", 2),  # 08:00 EDT
    ]
    assert_usage_recorded(SCENARIOS / "new-york-dst.yaml", report)


def test_a_pre_peak_window_scales_out_its_warm_up_early_and_is_healthy_when_it_starts() -> None:
    code, report = run_scenario(SCENARIOS / "pre-peak-warm-up.yaml")

    assert code == 0, unmet(report)
    first = report["scaling"]["actions"][0]
    assert (first["at"], first["desired"]) == ("2026-12-24T08:50:00+00:00", 6)
    assert "warming up for 2026-12-24T09:00:00+00:00" in first["reason"]
    at_start = next(s for s in report["scaling"]["capacities"] if s["at"] == "2026-12-24T09:00:00Z")
    assert at_start["healthy"] == 6
    assert_usage_recorded(SCENARIOS / "pre-peak-warm-up.yaml", report)


def test_a_scale_up_from_zero_whose_image_is_gone_stays_at_zero_tells_once_heals_when_back() -> None:
    code, report = run_scenario(SCENARIOS / "image-gone.yaml")

    assert code == 0, unmet(report)
    held = [n for n in report["notifications"] if "scale-up held" in n["subject"]]
    assert len(held) == 1 and held[0]["message"]["service"] == "api"
    # four runs found the image gone (09:00, 09:05, 09:10, 09:15) and wrote nothing to the service
    assert report["api_calls"].get("ecs:UpdateService") == 1
    assert actions(report) == [("2026-11-25T00:20:00+00:00", 3, "period office-hours")]
    assert report["iam"]["denials"] == []
    assert_usage_recorded(SCENARIOS / "image-gone.yaml", report)


def test_deploys_across_window_edges_end_at_the_schedules_capacity_on_the_new_live_slot() -> None:
    code, report = run_scenario(SCENARIOS / "deploy-across-edge.yaml")

    assert code == 0, unmet(report)
    # Both edges fall under a deploy's lease: the reconciler defers at 09:00 and at 10:00. d1 sizes green
    # from the open window itself (its last shift); d2's end (ReleaseLease at 10:02:45) runs the
    # reconciler at once, which scales web-blue, live again, not web-green, and not at the next
    # periodic run (10:50).
    assert [(a["at"], a["service"], a["desired"]) for a in report["scaling"]["actions"]] == [
        ("2026-11-25T01:02:45+00:00", "web-blue", 2)
    ]
    assert report["iam"]["denials"] == []
    assert_usage_recorded(SCENARIOS / "deploy-across-edge.yaml", report)


def test_before_the_first_deploy_only_the_slot_the_listener_sends_traffic_to_is_scaled() -> None:
    code, report = run_scenario(SCENARIOS / "idle-slot-before-first-deploy.yaml")

    assert code == 0, unmet(report)
    assert [(a["service"], a["desired"]) for a in report["scaling"]["actions"]] == [("web-blue", 4)]
    assert report["iam"]["denials"] == []
    assert_usage_recorded(SCENARIOS / "idle-slot-before-first-deploy.yaml", report)
