"""Green against blue, per target group, over one bake: the analysis verdict of a traffic step.

ALB publishes per-target-group metrics with two dimensions, ``TargetGroup`` (``targetgroup/<name>/<id>``)
and ``LoadBalancer`` (``app/<name>/<id>``): both are taken from ARNs here. The verdict compares green's
5xx rate with blue's over the same minutes (so a bad minute for everyone does not blame green) and
green's mean response time with blue's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Verdict = Literal["pass", "fail", "skipped"]
PASS: Verdict = "pass"  # noqa: S105 - a verdict, not a password
FAIL: Verdict = "fail"
SKIPPED: Verdict = "skipped"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """``max_5xx_rate_delta``: green's 5xx rate may exceed blue's by at most this (0.01 = 1 point).

    ``max_latency_ratio``: green's mean response time may be at most this multiple of blue's.
    ``min_requests``: below this many green requests the step is inconclusive (skipped, not failed).
    """

    max_5xx_rate_delta: float | None = None
    max_latency_ratio: float | None = None
    min_requests: int = 0


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class StepAnalysis:
    step_index: int
    verdict: Verdict
    reason: str
    green: TargetGroupStats | None = None
    blue: TargetGroupStats | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "step_index": self.step_index,
            "verdict": self.verdict,
            "green": self.green.as_dict() if self.green else None,
            "blue": self.blue.as_dict() if self.blue else None,
            "reason": self.reason,
        }


def _pct(rate: float) -> str:
    return f"{rate * 100:.2f}%"


def verdict(
    step_index: int, green: TargetGroupStats, blue: TargetGroupStats, limits: Thresholds
) -> StepAnalysis:
    """Pass, fail (with the numbers in the reason) or skipped (too few requests to say)."""
    if green.requests < max(limits.min_requests, 1):
        return StepAnalysis(
            step_index,
            SKIPPED,
            f"inconclusive: green served {green.requests} requests, "
            f"fewer than the {limits.min_requests} needed",
            green,
            blue,
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
        return StepAnalysis(step_index, FAIL, "; ".join(problems), green, blue)
    return StepAnalysis(
        step_index,
        PASS,
        f"green 5xx {_pct(green.error_rate)} vs blue {_pct(blue.error_rate)} "
        f"over {green.requests} green requests",
        green,
        blue,
    )


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
