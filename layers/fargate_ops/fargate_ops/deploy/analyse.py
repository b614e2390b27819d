"""Analyse: after a bake, green against blue over the bake's whole minutes; then on to the next step.

Records ``{step_index, verdict, green, blue, reason, window, data, at}`` in the record's ``analysis``.
Skipped when the deploy has no thresholds, the step had no bake, green served too few requests, or an
operator promoted to 100%. A watched alarm in ALARM fails the step here too (the fallback for a missed
alarm event).

Never on data it has not seen (domain/analysis.py): while CloudWatch lacks a minute of the window, the
step raises MetricsNotReadyError and the state machine runs it again a minute later (a Retry: a bounded
number of attempts, the same whatever the bake's length). Past ``metrics_wait_seconds`` after the bake
the step is inconclusive and the deploy's ``analysis.inconclusive`` policy decides: ``fail`` raises
AnalysisInconclusiveError (rollback), ``pause`` sets ``pause`` so that NextStep waits for an operator's
approval before the next step's traffic, ``pass`` goes on. A failing verdict raises AnalysisFailedError
with the numbers.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.deploy import record
from fargate_ops.deploy.alarms import raise_if_firing
from fargate_ops.domain import analysis
from fargate_ops.errors import AnalysisFailedError, AnalysisInconclusiveError, MetricsNotReadyError

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import AnalysisSpec, DeployDocument

GREEN, BLUE = "green", "blue"


def _measure(doc: DeployDocument, ctx: StepContext, spec: AnalysisSpec) -> analysis.StepAnalysis:
    live, green = doc.require_slots()
    bake_ended_at = ctx.entered_epoch()  # retries keep the state's first entry: the bake's end
    window = analysis.analysis_window(doc.step_started_at or bake_ended_at, bake_ended_at)
    metrics = ctx.cloudwatch.window_metrics(
        analysis.load_balancer_dimension(doc.listener_arn or ""),
        {
            GREEN: analysis.target_group_dimension(green.target_group_arn),
            BLUE: analysis.target_group_dimension(live.target_group_arn),
        },
        start=window.start,
        end=window.end,
    )
    missing = analysis.missing_minutes(window, metrics.minutes_seen)
    waited = max(clock.now_epoch() - bake_ended_at, 0.0)
    state = analysis.data_state(missing, waited, spec.metrics_wait_seconds)
    if state == "wait":
        raise MetricsNotReadyError(
            json.dumps(
                {
                    "deploy_id": doc.deploy_id,
                    "step_index": doc.step_index,
                    "reason": analysis.not_ready(window, missing, waited, spec.metrics_wait_seconds),
                }
            )
        )
    green_stats, blue_stats = metrics.stats[GREEN], metrics.stats[BLUE]
    data = analysis.DataWait(waited, missing)
    if state == "inconclusive":
        return analysis.inconclusive(doc.step_index, window, data, spec.inconclusive, green_stats, blue_stats)
    return analysis.verdict(
        doc.step_index, green_stats, blue_stats, spec.thresholds(), window=window, data=data
    )


def _analyse(doc: DeployDocument, ctx: StepContext, full_promote: bool) -> analysis.StepAnalysis:
    step = doc.current_step()
    if full_promote:
        return analysis.skipped(doc.step_index, "promoted to 100% by an operator: remaining steps skipped")
    if doc.analysis is None:
        return analysis.skipped(doc.step_index, "no analysis thresholds given")
    if step.bake_seconds == 0:
        return analysis.skipped(doc.step_index, "the step has no bake to analyse")
    return _measure(doc, ctx, doc.analysis)


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    raise_if_firing(doc, ctx, "after the bake")
    result = doc.bake_result or {}
    full_promote = result.get("action") == "promote" and bool(result.get("full"))
    outcome = _analyse(doc, ctx, full_promote)
    entry = {**outcome.as_dict(), "at": clock.iso()}
    if result.get("action") == "promote":
        entry["promoted"] = "full" if full_promote else "bake ended early"
    doc.analysis_results.append(entry)
    stops = outcome.verdict == analysis.FAIL or outcome.policy == "fail"
    next_index = len(doc.steps) - 1 if full_promote else doc.step_index + (0 if stops else 1)
    doc.step_index = next_index
    if outcome.policy == "pause":
        doc.pause = {"step_index": outcome.step_index, "reason": outcome.reason}
    record.save(ctx, doc, "step_index", end_wait=True, append={"analysis": [entry]})
    if outcome.verdict == analysis.FAIL:
        raise AnalysisFailedError(json.dumps({"deploy_id": doc.deploy_id, **entry}))
    if outcome.policy == "fail":
        raise AnalysisInconclusiveError(json.dumps({"deploy_id": doc.deploy_id, **entry}))
    doc.bake_result = None
    return doc
