"""Deploy strategies as people write them, turned into a traffic plan.

    "all-at-once"                                          one shift to 100%
    {type: canary, percent: 10, bake: 5m}                  10%, bake, 100%
    {type: linear, step_percent: 10, interval: 1m}         10%, 20%, ... 100%, a bake between steps
    {type: steps, steps: [{percent: 1, bake: 5m}, {percent: 25, bake: 10m, gate: approval}, {percent: 100}]}
    "canary-10-percent-5-minutes", "linear-10-percent-every-3-minutes", ...   presets named like CodeDeploy's
    "CodeDeployDefault.ECSCanary10Percent5Minutes", ...                        CodeDeploy's own names

Durations are seconds or text such as 90s, 5m, 1h30m. Every error names the field it is about
(``strategy.steps.2.percent``), so a person can fix the input without reading code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from fargate_ops.domain import traffic
from fargate_ops.domain.traffic import APPROVAL, FULL, InvalidPlanError, TrafficPlan

MAX_BAKE_SECONDS = 7 * 86_400  # a week: longer is not a bake, it is a second release train
MAX_STEPS = 100

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")
_CANARY_PRESET = re.compile(r"^canary-(\d{1,2})-percent-(\d{1,4})-minutes?$")
_LINEAR_PRESET = re.compile(r"^linear-(\d{1,2})-percent-every-(\d{1,4})-minutes?$")
_CODEDEPLOY = re.compile(
    r"^CodeDeployDefault\.(?:ECS|Lambda)(?:Canary|Linear)(\d+)Percent(?:Every)?(\d+)Minutes?$"
)

# The presets people migrating from CodeDeploy look for (any canary-N-percent-M-minutes also works).
PRESETS: Mapping[str, str] = {
    "CodeDeployDefault.ECSAllAtOnce": "all-at-once",
    "CodeDeployDefault.ECSCanary10Percent5Minutes": "canary-10-percent-5-minutes",
    "CodeDeployDefault.ECSCanary10Percent15Minutes": "canary-10-percent-15-minutes",
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": "linear-10-percent-every-1-minute",
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes": "linear-10-percent-every-3-minutes",
}
KNOWN_PRESETS = (
    "all-at-once",
    "canary-10-percent-5-minutes",
    "canary-10-percent-15-minutes",
    "canary-10-percent-30-minutes",
    "linear-10-percent-every-1-minute",
    "linear-10-percent-every-3-minutes",
    "linear-10-percent-every-10-minutes",
)


class InvalidStrategyError(ValueError):
    """A strategy that cannot be planned; ``field`` is the dotted path of the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def parse_duration(value: Any, field: str) -> int:
    """Seconds from 300, "300", "90s", "5m" or "1h30m"; refuses negatives, fractions and junk."""
    if isinstance(value, bool):
        raise InvalidStrategyError(field, f"{value!r} is not a duration (seconds, or text such as 90s, 5m)")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str) and (match := _DURATION.match(value.strip())) and any(match.groups()):
        h, m, s = (int(g) if g else 0 for g in match.groups())
        seconds = h * 3600 + m * 60 + s
    else:
        raise InvalidStrategyError(field, f"{value!r} is not a duration (seconds, or text such as 90s, 5m)")
    if not 0 <= seconds <= MAX_BAKE_SECONDS:
        raise InvalidStrategyError(field, f"{seconds}s is outside 0..{MAX_BAKE_SECONDS}s")
    return seconds


def _percent(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidStrategyError(field, f"{value!r} is not a whole percent")
    if not low <= value <= high:
        raise InvalidStrategyError(field, f"{value} is outside {low}..{high}")
    return value


def _only(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise InvalidStrategyError(
            f"{where}.{unknown[0]}", f"unknown field (allowed: {', '.join(sorted(allowed))})"
        )


def _one_of(raw: Mapping[str, Any], names: tuple[str, ...], where: str) -> Any:
    """The value of the first of ``names`` present (aliases: bake / bake_seconds); error if none."""
    present = [n for n in names if n in raw]
    if not present:
        raise InvalidStrategyError(f"{where}.{names[0]}", "required")
    if len(present) > 1:
        raise InvalidStrategyError(f"{where}.{present[1]}", f"give only one of {', '.join(present)}")
    return raw[present[0]]


def _planned(where: str, build: Callable[[], TrafficPlan]) -> TrafficPlan:
    try:
        return build()
    except InvalidPlanError as err:
        raise InvalidStrategyError(where, str(err)) from None


def _preset(name: str, where: str) -> tuple[dict[str, Any], TrafficPlan]:
    canonical = PRESETS.get(name, name)
    if canonical == "all-at-once":
        return {"type": "all-at-once"}, traffic.all_at_once()
    if match := _CODEDEPLOY.match(canonical):
        kind = "canary" if "Canary" in canonical else "linear"
        canonical = (
            f"canary-{match[1]}-percent-{match[2]}-minutes"
            if kind == "canary"
            else f"linear-{match[1]}-percent-every-{match[2]}-minutes"
        )
    if match := _CANARY_PRESET.match(canonical):
        percent = _percent(int(match[1]), where, 1, FULL - 1)
        bake = parse_duration(int(match[2]) * 60, where)
        plan = _planned(where, lambda: traffic.canary(percent, bake))
        return {"type": "canary", "percent": percent, "bake_seconds": bake, "preset": name}, plan
    if match := _LINEAR_PRESET.match(canonical):
        step = _percent(int(match[1]), where, 1, FULL - 1)
        interval = parse_duration(int(match[2]) * 60, where)
        plan = _planned(where, lambda: traffic.linear(step, interval))
        return {"type": "linear", "step_percent": step, "interval_seconds": interval, "preset": name}, plan
    raise InvalidStrategyError(
        where,
        f"unknown strategy {name!r}: use all-at-once, canary, linear, steps, or a preset such as "
        f"{', '.join(KNOWN_PRESETS[1:4])}",
    )


def _steps(raw: Any, where: str) -> tuple[list[dict[str, Any]], TrafficPlan]:
    if not isinstance(raw, list) or not raw:
        raise InvalidStrategyError(where, "a non-empty list of {percent, bake, gate} is required")
    if len(raw) > MAX_STEPS:
        raise InvalidStrategyError(where, f"at most {MAX_STEPS} steps")
    parsed: list[tuple[int, int, traffic.Gate]] = []
    for i, step in enumerate(raw):
        here = f"{where}.{i}"
        if not isinstance(step, Mapping):
            raise InvalidStrategyError(here, "each step is a mapping {percent, bake, gate}")
        _only(step, {"percent", "bake", "bake_seconds", "gate"}, here)
        if "percent" not in step:
            raise InvalidStrategyError(f"{here}.percent", "required")
        percent = _percent(step["percent"], f"{here}.percent", 1, FULL)
        bake_raw = step.get("bake", step.get("bake_seconds", 0))
        if "bake" in step and "bake_seconds" in step:
            raise InvalidStrategyError(f"{here}.bake_seconds", "give only one of bake, bake_seconds")
        bake = parse_duration(bake_raw, f"{here}.bake")
        gate = step.get("gate")
        if gate not in (None, APPROVAL):
            raise InvalidStrategyError(f"{here}.gate", f"{gate!r}: the only gate is 'approval' (or none)")
        if parsed and percent <= parsed[-1][0]:
            raise InvalidStrategyError(
                f"{here}.percent", f"percents must increase: {percent} after {parsed[-1][0]}"
            )
        parsed.append((percent, bake, gate))
    if parsed[-1][0] != FULL:
        raise InvalidStrategyError(f"{where}.{len(parsed) - 1}.percent", f"the last step must be {FULL}")
    if parsed[-1][1]:
        raise InvalidStrategyError(
            f"{where}.{len(parsed) - 1}.bake", "the 100% step has nothing to bake before"
        )
    plan = _planned(where, lambda: traffic.custom(parsed))
    return plan.as_dicts(), plan


def _with_preset(normalized: dict[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the preset name a normalized strategy came from (informational; it plans nothing)."""
    if isinstance(raw.get("preset"), str):
        normalized["preset"] = raw["preset"]
    return normalized


def parse_strategy(raw: Any, where: str = "strategy") -> tuple[dict[str, Any], TrafficPlan]:
    """``(normalized strategy, traffic plan)`` for a strategy as given in a deploy input."""
    if raw is None:
        return {"type": "all-at-once"}, traffic.all_at_once()
    if isinstance(raw, str):
        return _preset(raw.strip(), where)
    if not isinstance(raw, Mapping):
        raise InvalidStrategyError(where, "a preset name or a mapping with a type")
    kind = raw.get("type")
    if not isinstance(kind, str) or not kind:
        raise InvalidStrategyError(
            f"{where}.type", "required: all-at-once, canary, linear, steps or a preset"
        )
    if kind == "canary":
        _only(raw, {"type", "percent", "bake", "bake_seconds", "preset"}, where)
        if "percent" not in raw:
            raise InvalidStrategyError(f"{where}.percent", "required")
        percent = _percent(raw["percent"], f"{where}.percent", 1, FULL - 1)
        bake = parse_duration(_one_of(raw, ("bake", "bake_seconds"), where), f"{where}.bake")
        plan = _planned(where, lambda: traffic.canary(percent, bake))
        return _with_preset({"type": "canary", "percent": percent, "bake_seconds": bake}, raw), plan
    if kind == "linear":
        _only(raw, {"type", "step_percent", "interval", "interval_seconds", "preset"}, where)
        if "step_percent" not in raw:
            raise InvalidStrategyError(f"{where}.step_percent", "required")
        step = _percent(raw["step_percent"], f"{where}.step_percent", 1, FULL - 1)
        interval = parse_duration(_one_of(raw, ("interval", "interval_seconds"), where), f"{where}.interval")
        plan = _planned(where, lambda: traffic.linear(step, interval))
        return _with_preset({"type": "linear", "step_percent": step, "interval_seconds": interval}, raw), plan
    if kind == "steps":
        _only(raw, {"type", "steps"}, where)
        steps, plan = _steps(raw.get("steps"), f"{where}.steps")
        return {"type": "steps", "steps": steps}, plan
    _only(raw, {"type"}, where)
    return _preset(kind, f"{where}.type")
