"""What a cleanup may touch: the kinds switched on, the ages, the scope, the protected tag and the guards."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import field

from fargate_ops.domain.adoption import APPLICATION_TAG
from fargate_ops.domain.inventory import Tags
from fargate_ops.domain.services import cluster_name
from fargate_ops.errors import CleanupPolicyError
from fargate_ops.frozen import frozen

# The kinds of orphan, in the order a plan lists (and an executor applies) them: revisions before the
# images they use, services before the target groups and log groups they leave behind.
TASK_DEFINITION = "task-definition"
SERVICE = "service"
TARGET_GROUP = "target-group"
NETWORK_INTERFACE = "network-interface"
LOG_GROUP = "log-group"
LEASE = "lease"
DEPLOY_RECORD = "deploy-record"
IMAGE = "image"
KINDS = (TASK_DEFINITION, SERVICE, TARGET_GROUP, NETWORK_INTERFACE, LOG_GROUP, LEASE, DEPLOY_RECORD, IMAGE)
# ECR images are off by default: an image may be pulled by something this tool cannot see. Log groups
# too: deleting one deletes its logs, and only the log groups of the prefixes set are ever considered.
DEFAULT_KINDS = frozenset(KINDS) - {IMAGE, LOG_GROUP}
# Kinds whose mark is a tag on the resource; the others' marks live in the table (Inventory.marks).
TAGGED_MARK_KINDS = frozenset({TASK_DEFINITION, SERVICE, TARGET_GROUP, NETWORK_INTERFACE, LOG_GROUP})

DAY = 86_400
PROTECT_TAG = "fargate-ops:protect"


@frozen
class Placement:
    """Where a resource sits, for the scope: the clusters it belongs to (empty when none is known), the
    task definition family, the ECR repository; ``tags`` is ``None`` for a resource that takes none."""

    clusters: frozenset[str] = frozenset()
    family: str | None = None
    repository: str | None = None
    tags: Tags | None = None


def _matches(name: str | None, patterns: tuple[str, ...]) -> bool:
    return name is not None and any(fnmatch.fnmatchcase(name, p) for p in patterns)


@frozen
class Scope:
    """The resources a cleanup may change; ``None`` leaves a dimension open.

    Every dimension that is set must match; a resource that cannot be placed on a dimension that is set
    (an ENI names no cluster, an image no family, a table item has no tags) is out of scope: nothing
    out of scope is ever changed. Patterns are shell-style (``prod*``); tag values may be patterns too.
    """

    clusters: tuple[str, ...] | None = None
    families: tuple[str, ...] | None = None
    repositories: tuple[str, ...] | None = None
    tags: Mapping[str, str] | None = None

    def contains(self, placement: Placement) -> bool:
        if self.clusters is not None and not any(
            _matches(cluster_name(c), self.clusters) for c in placement.clusters
        ):
            return False
        if self.families is not None and not _matches(placement.family, self.families):
            return False
        if self.repositories is not None and not _matches(placement.repository, self.repositories):
            return False
        if self.tags is not None:
            tags = placement.tags
            if tags is None:
                return False
            return all(key in tags and fnmatch.fnmatchcase(tags[key], v) for key, v in self.tags.items())
        return True


@frozen
class Guard:
    """Refuse the whole plan when it would delete more than this many, or this percentage, of a kind
    (of the resources of that kind in scope)."""

    max_count: int | None = 1000
    max_percent: float | None = None


@frozen
class CleanupPolicy:
    kinds: frozenset[str] = DEFAULT_KINDS
    keep_revisions: int = 5  # the newest N ACTIVE revisions of every family
    grace_seconds: int = 7 * DAY  # from mark to delete
    idle_slot_seconds: int = 7 * DAY
    log_group_idle_seconds: int = 30 * DAY
    # Only log groups whose name starts with one of these are collected and judged; none: no log group.
    log_group_prefixes: tuple[str, ...] = ()
    record_retention_seconds: int = 90 * DAY
    image_min_idle_seconds: int = 30 * DAY  # since pushed and since last pulled
    scope: Scope = field(default_factory=Scope)
    protect_tag: str = PROTECT_TAG
    own_tag: str = APPLICATION_TAG  # resources this tool created carry it
    guard: Guard = field(default_factory=Guard)
    guards: Mapping[str, Guard] = field(default_factory=dict)  # per kind, instead of ``guard``

    def __post_init__(self) -> None:
        unknown = (set(self.kinds) | set(self.guards)) - set(KINDS)
        if unknown:
            raise CleanupPolicyError(f"unknown kind(s) {sorted(unknown)}: known are {list(KINDS)}")
        if self.keep_revisions < 1:
            raise CleanupPolicyError("keep_revisions must be at least 1: a rollback needs a revision")
        ages = {
            "grace_seconds": self.grace_seconds,
            "idle_slot_seconds": self.idle_slot_seconds,
            "log_group_idle_seconds": self.log_group_idle_seconds,
            "record_retention_seconds": self.record_retention_seconds,
            "image_min_idle_seconds": self.image_min_idle_seconds,
        }
        if any(not prefix for prefix in self.log_group_prefixes):
            raise CleanupPolicyError("a log group prefix must not be empty (it would select every log group)")
        negative = sorted(name for name, value in ages.items() if value < 0)
        if negative:
            raise CleanupPolicyError(f"{', '.join(negative)} must not be negative")
        for kind, guard in {"*": self.guard, **self.guards}.items():
            if guard.max_count is not None and guard.max_count < 0:
                raise CleanupPolicyError(f"guard {kind}: max_count must not be negative")
            if guard.max_percent is not None and not 0 <= guard.max_percent <= 100:
                raise CleanupPolicyError(f"guard {kind}: max_percent must be between 0 and 100")

    def guard_for(self, kind: str) -> Guard:
        return self.guards.get(kind, self.guard)
