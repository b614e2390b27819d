"""The cleanup's acceptance scenarios (scenarios/cleanup/), through the real CLI, as the others run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fargate_ops_cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios" / "cleanup"
pytestmark = pytest.mark.xdist_group("cleanup_scenarios")


def run(name: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["local", "run", str(SCENARIOS / name), "--output", "json"])
    report: dict[str, Any] = json.loads(result.stdout)
    assert result.exit_code == 0, [e for e in report["expectations"] if not e["ok"]]
    return report


def writes(report: dict[str, Any], call: str) -> int:
    return sum(run["writes"].get(call, 0) for run in report["cleanups"])


def test_after_deploys_a_dry_run_changes_nothing_an_apply_marks_and_past_the_grace_deletes() -> None:
    report = run("after-deploys.yaml")

    dry_run = report["cleanups"][0]
    assert dry_run["mode"] == "dry run" and dry_run["writes"] == {}
    assert [a["action"] for a in report["cleanups"][3]["result"]["plan"]["actions"]] == [
        "deregister",
        "delete",
    ]


def test_revisions_only_a_rule_a_schedule_or_a_service_out_of_scope_uses_are_kept() -> None:
    report = run("kept-references.yaml")

    assert report["cleanups"][0]["result"]["plan"]["actions"] == []


def test_a_guard_trip_refuses_the_whole_run_and_changes_nothing() -> None:
    report = run("guard-trip.yaml")

    assert report["cleanups"][1]["result"]["plan"]["refused"]
    assert report["cleanups"][1]["writes"] == {}


def test_an_interrupted_run_resumes_and_finishes_without_doing_anything_twice() -> None:
    report = run("interrupted.yaml")

    assert [r["result"]["complete"] for r in report["cleanups"][1:4]] == [False, False, True]
    # each unfinished run hands the next the revisions it read, so the next lists none again
    carried = report["cleanups"][1]["result"]["continue_token"]["revisions"]
    assert {group["stem"].rsplit("/", 1)[-1] for group in carried} == {"batch", "web-blue", "web-green"}
    assert writes(report, "ecs:DeregisterTaskDefinition") == 19
    assert writes(report, "ecs:DeleteTaskDefinitions") == 2  # 19 revisions, 10 per call


def test_an_idle_slot_a_group_left_behind_and_an_unused_image_are_marked_then_deleted_under_iam() -> None:
    report = run("every-kind-deleted.yaml")

    assert report["iam"]["denials"] == []
    past_grace = report["cleanups"][2]["writes"]
    assert past_grace["ecs:DeleteService"] == past_grace["elbv2:DeleteTargetGroup"] == 1
    assert past_grace["ecr:BatchDeleteImage"] == 1
    used = {u["statement"].split(" (")[-1].rstrip(")") for u in report["iam"]["statements_used"]}
    granted = {"DeleteOnlyMarkedSlotsInScope", "DeleteOnlyMarkedTargetGroups", "DeleteImagesInScope"}
    assert granted | {"MarkTargetGroupsOnlyWithTheMarkTag"} <= used


def test_an_image_index_named_by_tag_or_digest_is_kept_with_its_platforms_then_deleted_index_first() -> None:
    report = run("image-index-kept.yaml")

    kept = {k["resource"]: k["reasons"] for k in report["cleanups"][0]["result"]["plan"]["kept"]}
    platforms = [r for r, why in kept.items() if why[0].startswith("a platform image of index")]
    assert len(platforms) == 4
    assert report["cleanups"][0]["writes"] == {"dynamodb:PutItem": 1}  # the one mark: batch:stale
    # once report:1 is gone, its index goes first, in a call of its own, then its platform images
    last = report["cleanups"][3]
    assert last["writes"]["ecr:BatchDeleteImage"] == 2 and last["result"]["applied"]["failures"] == []


def _actions(report: dict[str, Any], run: int, kind: str) -> list[tuple[str, str]]:
    plan = report["cleanups"][run]["result"]["plan"]
    return [(a["resource"], a["action"]) for a in plan["actions"] if a["kind"] == kind]


def test_an_eni_a_stopped_task_left_available_is_marked_then_deleted_under_iam() -> None:
    report = run("eni-left-behind.yaml")

    assert report["iam"]["denials"] == []
    ((left, action),) = _actions(report, 0, "network-interface")
    assert action == "mark"
    assert _actions(report, 2, "network-interface") == [(left, "delete")]
    assert writes(report, "ec2:DeleteNetworkInterface") == 1
    assert writes(report, "ec2:CreateTags") == 1


def test_a_quiet_log_group_no_staying_revision_names_is_deleted_and_the_slots_group_is_kept() -> None:
    report = run("log-group-quiet.yaml")

    assert report["iam"]["denials"] == []
    assert _actions(report, 0, "log-group") == [("/ecs/shop/old-api", "mark")]
    assert _actions(report, 2, "log-group") == [("/ecs/shop/old-api", "delete")]
    kept = {k["resource"] for k in report["cleanups"][3]["result"]["plan"]["kept"]}
    assert "/ecs/shop/web" in kept and "/aws/lambda/tool" not in kept
