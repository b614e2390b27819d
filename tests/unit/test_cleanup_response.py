"""The cleanup's result stays within what Lambda can answer a synchronous invocation (6 MB)."""

from __future__ import annotations

import json
from typing import Any

from fargate_ops.cleanup.response import within_budget

ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/job-{:03d}:{}"


def result(actions: int) -> dict[str, Any]:
    planned = [
        {"kind": "task-definition", "resource": ARN.format(n % 100, n), "action": "mark", "reason": "x" * 120}
        for n in range(actions)
    ]
    lines = ["Cleanup plan at 2026-01-01: ..."] + [f"  mark {a['resource']}: {a['reason']}" for a in planned]
    plan = {"at": "2026-01-01T00:00:00Z", "refused": None, "actions": planned, "waiting": [], "kept": []}
    plan |= {"left_alone": [], "out_of_scope": {}, "warnings": []}
    return {"dry_run": True, "plan": plan, "lines": lines, "applied": None, "complete": True}


def test_a_small_result_is_answered_whole() -> None:
    small = result(50)

    assert within_budget(small) is small


def test_a_result_over_the_budget_lists_its_first_entries_and_says_how_many_there_are() -> None:
    large = result(9_500)

    answered = within_budget(large, budget=1_000_000)

    assert len(json.dumps(answered)) <= 1_000_000
    assert answered["truncated"]["totals"] == {
        "lines": 9_501,
        "actions": 9_500,
        "waiting": 0,
        "kept": 0,
        "left_alone": 0,
    }
    shown = answered["truncated"]["shown"]
    assert 0 < shown < 9_500 and answered["plan"]["actions"] == large["plan"]["actions"][:shown]
    assert answered["lines"][0] == large["lines"][0] and answered["complete"] is True
