"""Record which template statements each scenario uses: tests/iam/statement_usage.json.

    .venv/bin/python scripts/iam_usage.py          # every scenario in scenarios/ and the demo, 2 at a time

Runs each scenario normally (IAM enforced), reads from its report which statements alone allowed a
call, and writes, per statement of the deployed template, the cheapest scenario that uses it (fewest
application calls and invocations: deterministic, unlike wall time). The mutation test runs exactly
those; the scenario tests check that every run still uses what the record says. Prints the statements
no scenario exercises. Re-run it when the template, a scenario or the application's calls change.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "tests" / "iam" / "statement_usage.json"
DEMO = ROOT / "src" / "fargate_ops_cli" / "scenarios" / "demo.yaml"


def scenario_files() -> list[Path]:
    return [*sorted((ROOT / "scenarios").rglob("*.yaml")), DEMO]


def run_one(path: Path) -> tuple[str, int, dict[str, list[str]], int, list[str]]:
    from fargate_ops_cli.local.iam.coverage import alone
    from fargate_ops_cli.local.runner import ScenarioRunner
    from fargate_ops_cli.local.scenario import load

    report = ScenarioRunner(load(path), base_dir=path.parent).run()
    cost = sum(report.api_calls.values()) + sum(s["invocations"] for s in report.lambda_invocations.values())
    allowed = sorted(u["key"] for u in report.iam.get("statements_used", []))
    return str(path.relative_to(ROOT)), cost, alone(report.iam), len(report.iam.get("denials", [])), allowed


def deployed_statements() -> list[Any]:
    from fargate_ops_cli.local.iam.coverage import template_statements
    from fargate_ops_cli.local.runtime import LocalRuntime
    from fargate_ops_cli.local.stack import load_sam_template

    with LocalRuntime(ROOT) as runtime:
        runtime.deploy_stack()
        assert runtime.iam is not None
        return template_statements(runtime.iam.store, load_sam_template(ROOT / "template.yaml"))


def main() -> int:
    from fargate_ops_cli.local.iam.coverage import unexercised_text

    with ProcessPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(run_one, scenario_files()))
        statements = pool.submit(deployed_statements).result()
    denied = [run[0] for run in runs if run[3]]
    if denied:
        print(f"scenarios with IAM denials (fix them first): {denied}", file=sys.stderr)
        return 1
    by_cost = sorted(runs, key=lambda run: (run[1], run[0]))
    record: dict[str, Any] = {
        "scenarios": {name: {"cost": cost, "alone": sorted(used)} for name, cost, used, _, _ in runs},
        "statements": {},
    }
    for statement in statements:
        user = next((run for run in by_cost if statement.key in run[2]), None)
        record["statements"][statement.key] = {
            "sid": statement.sid,
            "actions": list(statement.actions),
            "resource": statement.resource,
            "policy_index": statement.policy_index,
            "statement_index": statement.statement_index,
            "used_by": user[0] if user else None,
            "alone_actions": user[2][statement.key] if user else [],
            # allowed calls, but always beside another statement: dropping it alone denies nothing
            "redundant": user is None and any(statement.key in run[4] for run in runs),
        }
    RECORD.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(f"wrote {RECORD.relative_to(ROOT)}")
    print(unexercised_text(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
