"""The world can hold what others do to a real account: scenarios/world/, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from fargate_ops_cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xdist_group("world_scenarios")


def run(path: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["local", "run", str(path), "--output", "json"])
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def third_party() -> dict[str, Any]:
    code, report = run(ROOT / "scenarios" / "world" / "third-party.yaml")
    assert code == 0, [e for e in report["expectations"] if not e["ok"]] or report["invariant_violations"]
    return report


def said(report: dict[str, Any], actor: str) -> list[str]:
    return [f"{e['at'][11:19]} {e['text']}" for e in report["timeline"] if e["actor"] == actor]


def test_a_third_party_edit_changes_only_its_rule_and_is_not_the_applications_call(
    third_party: dict[str, Any],
) -> None:
    rules = {r["name"]: r for listener in third_party["listeners"] for r in listener["rules"]}

    api = [
        (h["at"][11:19], h.get("fixed_response") or h["forward"]["api-blue-tg"])
        for h in rules["api"]["history"]
    ]
    assert api == [("09:00:00", 100), ("09:02:00", 503), ("09:05:00", 100)]
    assert len(rules["web"]["history"]) == 1
    assert not [call for call in third_party["api_calls"] if call.startswith("elasticloadbalancing:")]
    assert said(third_party, "third party")[0] == "09:02:00 edits rule api (listener 80): answer 503 itself"


def test_a_rule_that_answers_503_by_itself_fires_the_load_balancers_own_5xx_alarm(
    third_party: dict[str, Any],
) -> None:
    # The rule answers 503 from 09:02 to 09:05. Minute 09:02 is readable two minutes after it ends (the
    # default ingestion delay), so the alarm fires at 09:05; minute 09:05, the first without 503s, is
    # readable at 09:08, and the alarm goes back to OK then.
    assert said(third_party, "CloudWatch")[1:] == [
        "09:05:00 alarm alb-5xx OK → ALARM",
        "09:08:00 alarm alb-5xx ALARM → OK",
    ]


def test_events_from_another_account_and_region_arrive_with_their_envelope_and_arns_rewritten(
    third_party: dict[str, Any],
) -> None:
    foreign = [
        e for e in third_party["events"] if (e["account"], e["region"]) != ("123456789012", "us-east-1")
    ]

    assert [(e["detail_type"], e["account"], e["region"], e["resources"]) for e in foreign] == [
        (
            "ECS Service Action",
            "999999999999",
            "us-east-1",
            ["arn:aws:ecs:us-east-1:999999999999:service/shop/web-green"],
        ),
        (
            "CloudWatch Alarm State Change",
            "123456789012",
            "eu-west-1",
            ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:alb-5xx"],
        ),
    ]


def test_a_hook_file_that_is_not_there_is_refused_before_anything_runs(tmp_path: Path) -> None:
    scenario = yaml.safe_load((ROOT / "scenarios" / "deploy" / "validation-hook.yaml").read_text())
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(scenario))  # hooks/smoke.py is not beside it

    code, report = run(tmp_path / "s.yaml")

    assert code == 2
    assert "hook fargate-ops-hook-smoke: cannot read" in json.dumps(report)
