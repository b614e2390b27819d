"""The deploy step counts its decisions, so the template's errors alarm can leave them out."""

from __future__ import annotations

from typing import Any

import pytest

from fargate_ops import observability
from fargate_ops.deploy import DECISION_METRIC, run_step
from fargate_ops.errors import DeployInputError, UnknownStepError


def decisions_counted() -> float:
    metric: dict[str, Any] = observability._outside.metric_set.get(DECISION_METRIC, {})
    return float(sum(metric.get("Value", [0])))


def test_a_refused_input_is_counted_as_a_decision() -> None:
    before = decisions_counted()

    with pytest.raises(DeployInputError):
        run_step({"step": "plan", "deploy": {"deploy_id": "d1"}}, ctx=None)  # type: ignore[arg-type]

    assert decisions_counted() == before + 1


def test_a_caller_error_is_not_a_decision() -> None:
    before = decisions_counted()

    with pytest.raises(UnknownStepError):
        run_step({"step": "no_such_step", "deploy": {}}, ctx=None)  # type: ignore[arg-type]

    assert decisions_counted() == before
