"""The cleanup's result, kept within what Lambda can answer.

Lambda answers a synchronous invocation (the CLI's) with at most 6 MB (6,291,556 bytes; a larger
result fails the invocation with ``Function.ResponseSizeTooLarge``, the work done but its report
lost). A plan over 10,000 revisions lists ~9,500 actions twice (as JSON and as printed lines), ~11
MB. So a result over ``BUDGET`` keeps its summary, counts, what was done and the continue token, and
lists only the first entries of each list, saying so in ``truncated`` (the totals of each list and how
many are shown). The plan applied is always the whole plan; only its report is shortened.
"""

from __future__ import annotations

import json
from typing import Any

BUDGET = 5 * 2**20  # bytes of JSON: under Lambda's 6 MB, with room for the runtime's envelope
PLAN_LISTS = ("actions", "waiting", "kept", "left_alone")


def _size(result: dict[str, Any]) -> int:
    return len(json.dumps(result, default=str).encode())


def _shortened(result: dict[str, Any], shown: int) -> dict[str, Any]:
    plan = result["plan"]
    totals = {"lines": len(result["lines"]), **{name: len(plan[name]) for name in PLAN_LISTS}}
    return {
        **result,
        "lines": result["lines"][:shown],
        "plan": {**plan, **{name: plan[name][:shown] for name in PLAN_LISTS}},
        "truncated": {"shown": shown, "totals": totals},
    }


def within_budget(result: dict[str, Any], budget: int = BUDGET) -> dict[str, Any]:
    """The result, or its shortened form when its JSON is over ``budget`` bytes."""
    if _size(result) <= budget:
        return result
    plan = result["plan"]
    shown = max(len(result["lines"]), *(len(plan[name]) for name in PLAN_LISTS))
    while shown > 0:
        shown //= 2
        shortened = _shortened(result, shown)
        if _size(shortened) <= budget:
            return shortened
    return _shortened(result, 0)
