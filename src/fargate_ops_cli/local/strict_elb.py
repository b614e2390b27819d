"""ELBv2 forward actions as strict as AWS, where moto 5.2.5 is kinder (installed by moto_hooks.installed).

moto stores any weight, any number of target groups, and (in ModifyListener) target groups that do
not exist. AWS refuses, with `ValidationError` (`TargetGroupNotFound` for a missing group):
- each target group's weight is 0-999 (the message is AWS's own, as CloudTrail records it);
- a forward action holds at most 5 target groups ("Target groups per action", ALB quotas);
- with both `TargetGroupArn` and `ForwardConfig`, the ForwardConfig holds exactly that one group;
- target group stickiness: `DurationSeconds` is 1-604800 and required when stickiness is enabled.
The wording of the last three messages is ours: AWS documents the rules, not the text.
Checked on CreateListener, CreateRule, ModifyListener and ModifyRule alike.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_BACKEND = ("moto.elbv2.models", "ELBv2Backend")
# method -> the name of its actions parameter
GUARDED = {
    "create_listener": "actions",
    "create_rule": "actions",
    "modify_listener": "actions",
    "modify_rule": "actions",
}
HOOKED: tuple[tuple[str, str | None, str], ...] = tuple((*_BACKEND, method) for method in GUARDED)

MAX_WEIGHT = 999
MAX_TARGET_GROUPS_PER_ACTION = 5
MAX_STICKINESS_SECONDS = 604_800
WEIGHT_OUT_OF_RANGE = "The weight for each target group must be between 0 and 999, inclusive"


def _validation_error(message: str) -> Exception:
    from moto.elbv2.exceptions import ValidationError

    return ValidationError(message)


def _within(value: Any, low: int, high: int) -> bool:
    try:
        return low <= int(value) <= high
    except (TypeError, ValueError):
        return False


def _enabled(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def check_forward_actions(actions: Sequence[Mapping[str, Any]], target_group_arns: set[str]) -> None:
    """Raises what ELBv2 would answer for the first forward action it refuses."""
    from moto.elbv2.exceptions import ActionTargetGroupNotFoundError

    for action in actions:
        if action.get("Type") != "forward":
            continue
        config = action.get("ForwardConfig") or {}
        groups = list(config.get("TargetGroups") or [])
        if len(groups) > MAX_TARGET_GROUPS_PER_ACTION:
            raise _validation_error(
                f"A forward action can have at most {MAX_TARGET_GROUPS_PER_ACTION} target groups; "
                f"{len(groups)} were given"
            )
        for group in groups:
            weight = group.get("Weight")
            if weight is not None and not _within(weight, 0, MAX_WEIGHT):
                raise _validation_error(WEIGHT_OUT_OF_RANGE)
        single = action.get("TargetGroupArn")
        if single and groups and [g.get("TargetGroupArn") for g in groups] != [single]:
            raise _validation_error(
                "With both TargetGroupArn and ForwardConfig, the ForwardConfig must hold exactly "
                "one target group, the same as TargetGroupArn"
            )
        stickiness = config.get("TargetGroupStickinessConfig") or {}
        duration = stickiness.get("DurationSeconds")
        if _enabled(stickiness.get("Enabled")) and duration is None:
            raise _validation_error(
                "DurationSeconds must be specified when target group stickiness is enabled"
            )
        if duration is not None and not _within(duration, 1, MAX_STICKINESS_SECONDS):
            raise _validation_error(
                f"The target group stickiness duration must be between 1 and {MAX_STICKINESS_SECONDS} seconds"
            )
        for arn in [single, *(g.get("TargetGroupArn") for g in groups)]:
            if arn and arn not in target_group_arns:
                raise ActionTargetGroupNotFoundError(arn)


def _guarded(original: Callable[..., Any], actions_parameter: str) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        actions = signature.bind(self, *args, **kwargs).arguments.get(actions_parameter) or []
        check_forward_actions(actions, {group.arn for group in self.target_groups.values()})
        return original(self, *args, **kwargs)

    return guarded


def patches() -> list[tuple[Any, str, Any]]:
    """(object, attribute, replacement) for moto_hooks._patched."""
    backend = getattr(importlib.import_module(_BACKEND[0]), _BACKEND[1])
    return [
        (backend, method, _guarded(getattr(backend, method), parameter))
        for method, parameter in GUARDED.items()
    ]
