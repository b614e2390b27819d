"""The cleanup's policy, from its function's environment (the template's parameters) and its event.

Environment (all optional): ``CLEANUP_KINDS`` (comma-separated kinds), ``KEEP_REVISIONS``,
``CLEANUP_GRACE_DAYS``, ``CLEANUP_IDLE_SLOT_DAYS``, ``CLEANUP_IMAGE_MIN_IDLE_DAYS``,
``CLEANUP_SCOPE_CLUSTERS`` / ``_FAMILIES`` / ``_REPOSITORIES`` (comma-separated patterns; empty: open),
``CLEANUP_PROTECT_TAG``, ``CLEANUP_GUARD_MAX_COUNT``, ``CLEANUP_GUARD_MAX_PERCENT``,
``CLEANUP_WRITES_PER_SECOND``, ``CLEANUP_LOG_GROUP_PREFIX`` (the one prefix whose log groups may be
cleaned: the template's IAM grants on it only), ``CLEANUP_LOG_GROUP_IDLE_DAYS``. The event may narrow
``clusters`` and override ``keep_revisions`` and ``kinds``; it never widens what the environment allows.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from fargate_ops.domain.cleanup_policy import DAY, DEFAULT_KINDS, PROTECT_TAG, CleanupPolicy, Guard, Scope
from fargate_ops.errors import CleanupPolicyError
from fargate_ops.frozen import frozen

DEFAULT_WRITES_PER_SECOND = 0.5  # half of ECS's register/deregister refill: deploys keep the rest


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...] | None:
    raw = env.get(name, "").strip()
    if not raw or raw == "*":
        return None
    return tuple(p.strip() for p in raw.split(",") if p.strip())


def _number(env: Mapping[str, str], name: str, default: float | None) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise CleanupPolicyError(f"{name} must be a number, got {raw!r}") from None


@frozen
class CleanupConfig:
    policy: CleanupPolicy
    writes_per_second: float


def _narrowed(allowed: tuple[str, ...] | None, asked: Any) -> tuple[str, ...] | None:
    """The clusters an event asks for, kept only where the environment's scope allows them."""
    if not isinstance(asked, list) or not asked:
        return allowed
    names = tuple(str(c).rsplit("/", 1)[-1] for c in asked)
    if allowed is None:
        return names
    return tuple(n for n in names if any(fnmatch.fnmatchcase(n, p) for p in allowed)) or ("",)


def cleanup_config(env: Mapping[str, str], event: Mapping[str, Any]) -> CleanupConfig:
    kinds = _list(env, "CLEANUP_KINDS")
    asked_kinds = event.get("kinds")
    if isinstance(asked_kinds, list) and asked_kinds:
        kinds = tuple(str(k) for k in asked_kinds)
    keep = event.get("keep_revisions")
    keep_default = _number(env, "KEEP_REVISIONS", 5)
    grace_days = _number(env, "CLEANUP_GRACE_DAYS", 7) or 0
    idle_slot_days = _number(env, "CLEANUP_IDLE_SLOT_DAYS", 7) or 0
    image_idle_days = _number(env, "CLEANUP_IMAGE_MIN_IDLE_DAYS", 30) or 0
    log_idle_days = _number(env, "CLEANUP_LOG_GROUP_IDLE_DAYS", 30) or 0
    log_prefix = env.get("CLEANUP_LOG_GROUP_PREFIX", "").strip()
    max_count = _number(env, "CLEANUP_GUARD_MAX_COUNT", 1000)
    max_percent = _number(env, "CLEANUP_GUARD_MAX_PERCENT", None)
    policy = CleanupPolicy(
        kinds=frozenset(kinds) if kinds is not None else DEFAULT_KINDS,
        keep_revisions=keep
        if isinstance(keep, int) and not isinstance(keep, bool)
        else int(keep_default or 5),
        grace_seconds=int(grace_days * DAY),
        idle_slot_seconds=int(idle_slot_days * DAY),
        image_min_idle_seconds=int(image_idle_days * DAY),
        log_group_idle_seconds=int(log_idle_days * DAY),
        log_group_prefixes=(log_prefix,) if log_prefix else (),
        scope=Scope(
            clusters=_narrowed(_list(env, "CLEANUP_SCOPE_CLUSTERS"), event.get("clusters")),
            families=_list(env, "CLEANUP_SCOPE_FAMILIES"),
            repositories=_list(env, "CLEANUP_SCOPE_REPOSITORIES"),
        ),
        protect_tag=env.get("CLEANUP_PROTECT_TAG", "").strip() or PROTECT_TAG,
        guard=Guard(
            max_count=int(max_count) if max_count is not None and max_count >= 0 else None,
            max_percent=max_percent if max_percent is not None and max_percent >= 0 else None,
        ),
    )
    rate = _number(env, "CLEANUP_WRITES_PER_SECOND", DEFAULT_WRITES_PER_SECOND) or DEFAULT_WRITES_PER_SECOND
    if rate <= 0 or rate > 1:
        raise CleanupPolicyError("CLEANUP_WRITES_PER_SECOND must be above 0 and at most 1 (ECS's refill)")
    return CleanupConfig(policy, rate)
