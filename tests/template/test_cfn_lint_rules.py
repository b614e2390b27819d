"""The custom cfn-lint rules in lint/rules, run the way `make template` runs them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


def cfn_lint(template: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(CFN_LINT),
            "--append-rules",
            str(REPO_ROOT / "lint" / "rules"),
            "--format",
            "parseable",
            "--",
            template.name,
        ],
        cwd=template.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_each_custom_rule_reports_its_violation_in_the_bad_snippet() -> None:
    result = cfn_lint(FIXTURES / "bad" / "violations.yaml")

    rule_ids = re.findall(r"^[^:]+:\d+:\d+:\d+:\d+:(E9\d{3}):", result.stdout, flags=re.MULTILINE)
    assert sorted(rule_ids) == ["E9001", "E9002", "E9003", "E9004", "E9005", "E9006", "E9007"], (
        result.stdout + result.stderr
    )
    assert result.returncode != 0


def test_custom_rules_report_the_line_of_the_offending_resource() -> None:
    result = cfn_lint(FIXTURES / "bad" / "violations.yaml")

    lines = dict(re.findall(r"^[^:]+:(\d+):\d+:\d+:\d+:(E9\d{3}):", result.stdout, flags=re.MULTILINE))
    source = (FIXTURES / "bad" / "violations.yaml").read_text().splitlines()
    by_rule = {rule: source[int(line) - 1] for line, rule in lines.items()}
    assert by_rule["E9006"].strip() == "Deploy:"
    assert by_rule["E9001"].strip() == "CleanupFunction:"


def test_compliant_fixture_passes_cfn_lint_with_the_custom_rules() -> None:
    result = cfn_lint(FIXTURES / "compliant.yaml")

    assert result.returncode == 0, result.stdout + result.stderr
