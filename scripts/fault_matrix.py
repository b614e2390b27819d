"""The deploy fault matrix: for each deploy scenario, how every deploy in it ended.

    .venv/bin/python scripts/fault_matrix.py          # every scenario in scenarios/deploy/, 2 at a time

One row per deploy: the scenario (its fault), the record's final status and the execution's, the last
weights the deploy's record wrote, the lease, and the notifications that named the deploy. `make bench`
prints the same table from its scenario-suite runs.

The lease column is read from the run's invariants, not guessed: every scenario checks "the lease is
free unless a ROLLBACK_FAILED record holds it", so a run without invariant violations has the lease
free, or held by its ROLLBACK_FAILED deploy. A run with a violation says so instead.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_SCENARIOS = ROOT / "scenarios" / "deploy"
HEADER = (
    "| scenario | deploy | record | execution | final weights | lease | notifications |\n"
    "| --- | --- | --- | --- | --- | --- | --- |"
)


def _weights(deploy: dict[str, Any]) -> str:
    """The weights the deploy's own record last wrote (target group names, not ARNs)."""
    history = deploy.get("weight_history") or []
    weights = history[-1]["weights"] if history else {}
    return (
        ", ".join(
            f"{arn.split('/')[1].removesuffix('-tg') if '/' in arn else arn} {weight}"
            for arn, weight in sorted(weights.items())
        )
        or "never shifted"
    )


def _lease(report: Any, status: str) -> str:
    if report.invariant_violations:
        return f"{len(report.invariant_violations)} invariant violations"
    return "held (ROLLBACK_FAILED)" if status == "ROLLBACK_FAILED" else "free"


def _notifications(report: Any, deploy_id: str) -> str:
    """How many notifications named this deploy, and the first two subjects."""
    mine = [
        str(n.get("subject", "")).removeprefix("fargate-ops").lstrip(": ")
        for n in report.notifications
        if (isinstance(n.get("message"), dict) and n["message"].get("deploy_id") == deploy_id)
        or f" {deploy_id} " in f" {n.get('subject', '')} ".replace(",", " ")
    ]
    return f"{len(mine)}" + (": " + "; ".join(mine[:2]) if mine else "")


def rows(name: str, report: Any) -> list[str]:
    """The table's rows for one scenario run (a report of `fargate-ops local run`)."""
    if not report.deploys:
        return []
    return [
        f"| {name} | {d['id']} | {d.get('status') or '-'} | {d.get('execution_status') or '-'} |"
        f" {_weights(d)} | {_lease(report, str(d.get('status')))} | {_notifications(report, d['id'])} |"
        for d in report.deploys
    ]


def _run(path: Path) -> list[str]:
    from fargate_ops_cli.local.runner import ScenarioRunner
    from fargate_ops_cli.local.scenario import load

    return rows(path.stem, ScenarioRunner(load(path), base_dir=path.parent).run())


def main() -> int:
    paths = sorted(DEPLOY_SCENARIOS.glob("*.yaml"))
    with ProcessPoolExecutor(max_workers=2) as pool:
        table = [row for found in pool.map(_run, paths) for row in found]
    print(HEADER)
    print("\n".join(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
