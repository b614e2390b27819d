"""The mutation test: drop each statement the scenarios use, and the scenario that uses it is refused.

tests/iam/statement_usage.json (written by scripts/iam_usage.py from normal runs of every scenario)
names, per statement of the deployed template, the cheapest scenario in which some call was allowed by
that statement alone. Each such statement is dropped from template.yaml in turn, the copy deployed,
that scenario run: the IAM check must deny a call naming one of the statement's actions. The record
also lists the statements no scenario exercises (actions only an operator runs, SAM's dead-letter
grants, AWS managed policies); the last test prints them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fargate_ops_cli.local.iam.coverage import TemplateStatement, drop, template_statements
from fargate_ops_cli.local.runner import ScenarioRunner
from fargate_ops_cli.local.runtime import LocalRuntime
from fargate_ops_cli.local.scenario import load
from fargate_ops_cli.local.stack import load_sam_template

ROOT = Path(__file__).resolve().parents[2]
RECORD: dict[str, Any] = json.loads((Path(__file__).parent / "statement_usage.json").read_text())
USED = sorted(key for key, entry in RECORD["statements"].items() if entry["used_by"])

pytestmark = [pytest.mark.local]


def _statement(key: str) -> TemplateStatement:
    entry = RECORD["statements"][key]
    return TemplateStatement(
        key,
        entry["sid"],
        tuple(entry["actions"]),
        entry["resource"],
        entry["policy_index"],
        entry["statement_index"],
    )


@pytest.mark.slow
@pytest.mark.parametrize("key", USED)
def test_dropping_a_statement_a_scenario_uses_gets_that_scenario_denied(key: str, tmp_path: Path) -> None:
    statement = _statement(key)
    entry = RECORD["statements"][key]
    template = tmp_path / "template.json"  # JSON is YAML: the deploy reads it as it reads template.yaml
    template.write_text(json.dumps(drop(load_sam_template(ROOT / "template.yaml"), statement)))
    scenario_path = ROOT / entry["used_by"]

    report = ScenarioRunner(load(scenario_path), base_dir=scenario_path.parent, template=template).run()

    denied = {d["action"] for d in report.iam["denials"]}
    assert denied & set(entry["alone_actions"]), (
        f"{key} ({statement.sid}) dropped, {entry['used_by']} was denied only {sorted(denied)};"
        f" expected one of {entry['alone_actions']} (re-run scripts/iam_usage.py if the app changed)"
    )


def test_the_record_names_every_statement_of_the_deployed_template(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with LocalRuntime(ROOT) as runtime:
        runtime.deploy_stack()
        assert runtime.iam is not None
        deployed = template_statements(runtime.iam.store, load_sam_template(ROOT / "template.yaml"))

    assert {s.key: s for s in deployed} == {k: _statement(k) for k in RECORD["statements"]}, (
        "template.yaml's statements changed: re-run scripts/iam_usage.py"
    )
    assert all(_statement(key).mutable for key in USED)
    unexercised = [
        f"{k} {e['sid']} {e['actions']}" for k, e in RECORD["statements"].items() if not e["used_by"]
    ]
    with capsys.disabled():
        print(f"\nIAM statements no scenario exercises alone ({len(unexercised)}):")
        for line in unexercised:
            print(f"  {line}")
