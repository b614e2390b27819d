"""Analyse: after a bake, green against blue over the bake's minutes; then on to the next step.

Records ``{step_index, verdict, green, blue, reason}`` in the record's ``analysis``. A failing verdict
raises AnalysisFailedError with the numbers (the state machine rolls back). Skipped when the deploy has
no thresholds, the step had no bake, green served too few requests, or an operator promoted to 100%.
A watched alarm in ALARM fails the step here too (the fallback for a missed alarm event).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.deploy import record
from fargate_ops.deploy.alarms import raise_if_firing
from fargate_ops.domain import analysis
from fargate_ops.errors import AnalysisFailedError

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument

GREEN, BLUE = "green", "blue"


def _analyse(doc: DeployDocument, ctx: StepContext, full_promote: bool) -> analysis.StepAnalysis:
    live, green = doc.require_slots()
    step = doc.current_step()
    if full_promote:
        return analysis.skipped(doc.step_index, "promoted to 100% by an operator: remaining steps skipped")
    if doc.analysis is None:
        return analysis.skipped(doc.step_index, "no analysis thresholds given")
    if step.bake_seconds == 0:
        return analysis.skipped(doc.step_index, "the step has no bake to analyse")
    stats = ctx.cloudwatch.target_group_stats(
        analysis.load_balancer_dimension(doc.listener_arn or ""),
        {
            GREEN: analysis.target_group_dimension(green.target_group_arn),
            BLUE: analysis.target_group_dimension(live.target_group_arn),
        },
        start=doc.step_started_at or clock.now_epoch(),
        end=clock.now_epoch(),
    )
    return analysis.verdict(doc.step_index, stats[GREEN], stats[BLUE], doc.analysis.thresholds())


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    raise_if_firing(doc, ctx, "after the bake")
    result = doc.bake_result or {}
    full_promote = result.get("action") == "promote" and bool(result.get("full"))
    outcome = _analyse(doc, ctx, full_promote)
    entry = {**outcome.as_dict(), "at": clock.iso()}
    if result.get("action") == "promote":
        entry["promoted"] = "full" if full_promote else "bake ended early"
    doc.analysis_results.append(entry)
    failed = outcome.verdict == analysis.FAIL
    next_index = len(doc.steps) - 1 if full_promote else doc.step_index + (0 if failed else 1)
    doc.step_index = next_index
    record.save(ctx, doc, "step_index", end_wait=True, append={"analysis": [entry]})
    if failed:
        raise AnalysisFailedError(json.dumps({"deploy_id": doc.deploy_id, **entry}))
    doc.bake_result = None
    return doc
