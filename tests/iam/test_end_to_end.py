"""The IAM check end to end: a real scenario, the real template, a refusal the deploy reacts to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fargate_ops_cli.main import cli

pytestmark = [pytest.mark.local]


def test_the_state_machine_may_not_invoke_a_hook_outside_its_pattern() -> None:
    scenario = Path(__file__).parent / "fixtures" / "hook-outside-pattern.yaml"

    result = CliRunner().invoke(cli, ["local", "run", str(scenario), "--output", "json"])
    report = json.loads(result.stdout)

    assert result.exit_code == 0, [e for e in report["expectations"] if not e["ok"]]
    (denial,) = report["iam"]["denials"]
    assert denial["action"] == "lambda:InvokeFunction"
    assert denial["resource"].endswith(":function:someone-elses-hook")
    assert "-DeployStateMachineRole-" in denial["principal"] and denial["principal"].endswith("/d1")
    assert any(e["actor"] == "IAM" and "lambda:InvokeFunction" in e["text"] for e in report["timeline"])
