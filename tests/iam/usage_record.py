"""The scenario tests' check that tests/iam/statement_usage.json still says what each scenario uses.

The mutation test trusts that record to pick, per statement, the scenario to run with it dropped; a
scenario whose calls changed would make it test the wrong thing. Each scenario test already runs its
scenario with IAM enforced, so comparing costs nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fargate_ops_cli.local.iam.coverage import alone

ROOT = Path(__file__).resolve().parents[2]
RECORD = Path(__file__).parent / "statement_usage.json"


def assert_usage_recorded(scenario: Path, report: dict[str, Any]) -> None:
    """For the repository's scenario files (a test's own variants in tmp_path are not recorded)."""
    if not scenario.resolve().is_relative_to(ROOT):
        return
    name = str(scenario.resolve().relative_to(ROOT))
    recorded = json.loads(RECORD.read_text())["scenarios"].get(name)
    used = sorted(alone(report.get("iam", {})))
    assert recorded is not None and recorded["alone"] == used, (
        f"{name} now uses {used} alone, the record says {recorded and recorded['alone']}:"
        " re-run scripts/iam_usage.py"
    )
