"""Green against blue, per target group, over one bake: the analysis verdict of a traffic step.

ALB publishes per-target-group metrics with two dimensions, ``TargetGroup`` (``targetgroup/<name>/<id>``)
and ``LoadBalancer`` (``app/<name>/<id>``): both are taken from ARNs here. The verdict compares green's
5xx rate with blue's over the same minutes (so a bad minute for everyone does not blame green) and
green's mean response time with blue's.

The analysis never passes on data it has not seen. Its *window* is whole minutes, those in which the
step's weights held throughout: from the first minute that starts at or after the shift, to the end of
the minute in which the bake ended (the weights hold until the analysis is done), at least one minute.
CloudWatch makes a minute readable one to three minutes after it ends, so right after a bake the last
minutes are not there yet. The window is *complete* when every one of its minutes has a datapoint of the
load balancer's RequestCount (ALB publishes a minute only with requests in it; the load balancer carries
traffic every minute, where a target group may legitimately have none). Until then the step waits, up to
``metrics_wait_seconds`` after its bake; still incomplete, the step is ``inconclusive`` and the deploy's
``analysis.inconclusive`` policy decides: ``fail`` (roll back, the default), ``pause`` (an approval gate
before the next step) or ``pass`` (go on, recorded as inconclusive, never as pass).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from fargate_ops.frozen import frozen

Verdict = Literal["pass", "fail", "skipped", "inconclusive"]
PASS: Verdict = "pass"  # noqa: S105 - a verdict, not a password
FAIL: Verdict = "fail"
SKIPPED: Verdict = "skipped"
INCONCLUSIVE: Verdict = "inconclusive"

InconclusivePolicy = Literal["fail", "pause", "pass"]
DataState = Literal["complete", "wait", "inconclusive"]
MINUTE = 60
# The state machine retries an analysis whose data is incomplete every minute (Analyse's Retry on
# MetricsNotReadyError: IntervalSeconds 60, MaxAttempts 10), so a wait may last up to 9 minutes and
# still end in this step's own decision; tests/unit/test_deploy_state_machine.py holds the two together.
DEFAULT_METRICS_WAIT_SECONDS = 300
MAX_METRICS_WAIT_SECONDS = 540
_CONSEQUENCE = {
    "fail": "rolling back",
    "pause": "waiting for an operator (fargate-ops approve or abort) before the next step",
    "pass": "going on without a verdict",
}


@frozen
class Thresholds:
    """``max_5xx_rate_delta``: green's 5xx rate may exceed blue's by at most this (0.01 = 1 point).

    ``max_latency_ratio``: green's mean response time may be at most this multiple of blue's.
    ``min_requests``: below this many green requests the step is inconclusive (skipped, not failed).
    """

    max_5xx_rate_delta: float | None = None
    max_latency_ratio: float | None = None
    min_requests: int = 0


@frozen
class TargetGroupStats:
    requests: int
    errors_5xx: int
    latency_seconds: float | None  # mean TargetResponseTime, None without requests

    @property
    def error_rate(self) -> float:
        return self.errors_5xx / self.requests if self.requests else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors_5xx": self.errors_5xx,
            "error_rate": round(self.error_rate, 6),
            "p_latency": None if self.latency_seconds is None else round(self.latency_seconds, 6),
        }


@frozen
class WindowMetrics:
    """What CloudWatch answered for a window: each target group's totals, and the minutes (epoch
    seconds) for which it holds a load balancer datapoint."""

    stats: dict[str, TargetGroupStats]
    minutes_seen: frozenset[int]


def _hhmm(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%H:%M")


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@frozen
class Window:
    """Whole minutes, ``[start, end)`` in epoch seconds, both on a minute boundary."""

    start: int
    end: int

    @property
    def minutes(self) -> tuple[int, ...]:
        return tuple(range(self.start, self.end, MINUTE))

    def label(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"

    def as_dict(self) -> dict[str, Any]:
        return {"start": _iso(self.start), "end": _iso(self.end), "minutes": len(self.minutes)}


def analysis_window(shifted_at: float, bake_ended_at: float) -> Window:
    """The minutes a step's analysis reads: each one wholly at the step's weights (module docstring)."""
    start = math.ceil(shifted_at / MINUTE) * MINUTE
    end = max(math.ceil(bake_ended_at / MINUTE) * MINUTE, start + MINUTE)
    return Window(start, end)


def missing_minutes(window: Window, seen: Iterable[float]) -> tuple[int, ...]:
    """The window's minutes without a load balancer datapoint (not in CloudWatch yet, or no request)."""
    have = {int(m) for m in seen}
    return tuple(m for m in window.minutes if m not in have)


def data_state(missing: tuple[int, ...], waited_seconds: float, max_wait_seconds: float) -> DataState:
    """Complete; or wait (and ask again); or, past the bound, inconclusive."""
    if not missing:
        return "complete"
    return "wait" if waited_seconds < max_wait_seconds else "inconclusive"


@frozen
class DataWait:
    """How long the analysis waited for its window's data after the bake, and what was still missing."""

    waited_seconds: float
    missing: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"waited_seconds": round(self.waited_seconds)}
        if self.missing:
            data["missing_minutes"] = [_iso(m) for m in self.missing]
        if self.waited_seconds > 0:
            data["why"] = (
                "CloudWatch had not ingested every minute of the window yet "
                "(ALB datapoints arrive one to three minutes after their minute)"
            )
        return data


def not_ready(
    window: Window, missing: tuple[int, ...], waited_seconds: float, max_wait_seconds: float
) -> str:
    """MetricsNotReadyError's message: what is missing, how long it has waited, how long it may."""
    return (
        f"no load balancer datapoint yet for {', '.join(_hhmm(m) for m in missing)} of the window "
        f"{window.label()}; waited {round(waited_seconds)}s of at most {round(max_wait_seconds)}s"
    )


@frozen
class StepAnalysis:
    step_index: int
    verdict: Verdict
    reason: str
    green: TargetGroupStats | None = None
    blue: TargetGroupStats | None = None
    window: Window | None = None
    data: DataWait | None = None
    policy: InconclusivePolicy | None = None

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "step_index": self.step_index,
            "verdict": self.verdict,
            "green": self.green.as_dict() if self.green else None,
            "blue": self.blue.as_dict() if self.blue else None,
            "reason": self.reason,
        }
        if self.window is not None:
            result["window"] = self.window.as_dict()
        if self.data is not None:
            result["data"] = self.data.as_dict()
        if self.policy is not None:
            result["policy"] = self.policy
        return result


def _pct(rate: float) -> str:
    return f"{rate * 100:.2f}%"


def verdict(
    step_index: int,
    green: TargetGroupStats,
    blue: TargetGroupStats,
    limits: Thresholds,
    *,
    window: Window | None = None,
    data: DataWait | None = None,
) -> StepAnalysis:
    """Pass, fail (with the numbers in the reason) or skipped (too few requests to say), over a window
    whose data is complete. No green request at all is never a pass, whatever ``min_requests``."""
    if green.requests < max(limits.min_requests, 1):
        return StepAnalysis(
            step_index,
            SKIPPED,
            f"inconclusive: green served {green.requests} requests, "
            f"fewer than the {max(limits.min_requests, 1)} needed",
            green,
            blue,
            window=window,
            data=data,
        )
    problems = []
    if limits.max_5xx_rate_delta is not None:
        delta = green.error_rate - blue.error_rate
        if delta > limits.max_5xx_rate_delta:
            problems.append(
                f"green 5xx rate {_pct(green.error_rate)} ({green.errors_5xx}/{green.requests}) vs blue "
                f"{_pct(blue.error_rate)} ({blue.errors_5xx}/{blue.requests}): +{_pct(delta)} > "
                f"max delta {_pct(limits.max_5xx_rate_delta)}"
            )
    if limits.max_latency_ratio is not None and green.latency_seconds is not None and blue.latency_seconds:
        ratio = green.latency_seconds / blue.latency_seconds
        if ratio > limits.max_latency_ratio:
            problems.append(
                f"green response time {green.latency_seconds * 1000:.0f} ms vs blue "
                f"{blue.latency_seconds * 1000:.0f} ms: "
                f"x{ratio:.2f} > max ratio x{limits.max_latency_ratio:g}"
            )
    if problems:
        return StepAnalysis(step_index, FAIL, "; ".join(problems), green, blue, window=window, data=data)
    return StepAnalysis(
        step_index,
        PASS,
        f"green 5xx {_pct(green.error_rate)} vs blue {_pct(blue.error_rate)} "
        f"over {green.requests} green requests",
        green,
        blue,
        window=window,
        data=data,
    )


def inconclusive(
    step_index: int,
    window: Window,
    data: DataWait,
    policy: InconclusivePolicy,
    green: TargetGroupStats | None = None,
    blue: TargetGroupStats | None = None,
) -> StepAnalysis:
    """The window's data did not all arrive in time: no verdict, and what the deploy's policy does."""
    missing = ", ".join(_hhmm(m) for m in data.missing)
    reason = (
        f"inconclusive: after waiting {round(data.waited_seconds)}s, CloudWatch has no load balancer "
        f"datapoint for {missing} of the window {window.label()}; analysis.inconclusive is {policy}: "
        f"{_CONSEQUENCE[policy]}"
    )
    return StepAnalysis(step_index, INCONCLUSIVE, reason, green, blue, window, data, policy)


def skipped(step_index: int, reason: str) -> StepAnalysis:
    return StepAnalysis(step_index, SKIPPED, reason)


def load_balancer_dimension(listener_or_rule_arn: str) -> str:
    """``app/<name>/<id>`` from a listener (``listener/app/n/id/l``) or a rule ARN
    (``listener-rule/app/n/id/l/r``)."""
    resource = listener_or_rule_arn.split(":", 5)[-1]
    parts = resource.split("/")
    if len(parts) < 4 or parts[1] != "app":
        raise ValueError(f"not an application load balancer listener or rule ARN: {listener_or_rule_arn}")
    return "/".join(parts[1:4])


def target_group_dimension(target_group_arn: str) -> str:
    """``targetgroup/<name>/<id>`` from a target group ARN."""
    return target_group_arn.split(":", 5)[-1]
