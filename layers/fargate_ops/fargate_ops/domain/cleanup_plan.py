"""The cleanup plan: the intended actions a dry run prints and an executor applies, each with its reason.

Safety, in the order it is applied to every finding (orphans.py):
1. out of scope: never changed, not even marked or unmarked ("in use" was still decided over everything);
2. the protected tag, or another AWS feature managing the resource: left alone, and listed as such;
3. mark, then delete: an orphan found the first time is marked (tagged with the time it was found, or
   the same in the table for what takes no tags); one marked at least the grace period ago and still an
   orphan is deleted; one marked but no longer an orphan is unmarked;
4. the guard: when the plan would delete more of a kind than a set count or percentage of that kind in
   scope, the whole plan is refused: no action at all, and a reason that names the numbers.

Revisions are judged first: an image is kept while any revision that stays (not deleted by this plan)
uses it, so an executor applies the actions in order (revisions before the images they used).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field
from typing import Any

from fargate_ops.domain.cleanup_policy import (
    DEPLOY_RECORD,
    IMAGE,
    KINDS,
    LEASE,
    LOG_GROUP,
    NETWORK_INTERFACE,
    SERVICE,
    TARGET_GROUP,
    TASK_DEFINITION,
    CleanupPolicy,
)
from fargate_ops.domain.inventory import (
    ACTIVE,
    DELETE_IN_PROGRESS,
    Inventory,
    Revision,
    format_mark,
    iso_day,
)
from fargate_ops.domain.orphans import (
    Finding,
    Findings,
    deploy_record_findings,
    image_findings,
    lease_findings,
    revision_findings,
    service_findings,
    target_group_findings,
)
from fargate_ops.domain.orphans_tasks import log_group_findings, network_interface_findings
from fargate_ops.domain.references import revisions_in_use
from fargate_ops.frozen import frozen

MARK = "mark"
UNMARK = "unmark"
DEREGISTER = "deregister"
DELETE = "delete"
# DeleteTaskDefinitions takes at most 10 revisions per call, each already INACTIVE.
DELETE_TASK_DEFINITIONS_BATCH = 10


@frozen
class PlannedAction:
    kind: str
    resource: str
    action: str  # mark, unmark, deregister, delete
    reason: str


@frozen
class Kept:
    kind: str
    resource: str
    reasons: tuple[str, ...]


@frozen
class Waiting:
    """A marked orphan whose grace period is not over."""

    kind: str
    resource: str
    reason: str
    marked_at: float
    deletes_after: float


@frozen
class LeftAlone:
    kind: str
    resource: str
    why: str


@frozen
class CleanupPlan:
    now: float
    actions: tuple[PlannedAction, ...] = ()
    kept: tuple[Kept, ...] = ()
    waiting: tuple[Waiting, ...] = ()
    left_alone: tuple[LeftAlone, ...] = ()
    out_of_scope: Mapping[str, int] = field(default_factory=dict)
    refused: str | None = None
    warnings: tuple[str, ...] = ()
    # the revisions that stay whose images are unknown: describe them and plan again to judge images
    needs_revision_images: tuple[str, ...] = ()

    @property
    def mark_value(self) -> str:
        """What a mark says: the time this run found the orphan."""
        return format_mark(self.now)

    def deletions(self, kind: str) -> list[str]:
        """The resources of this kind the plan deletes, in order."""
        return [a.resource for a in self.actions if a.kind == kind and a.action == DELETE]

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": format_mark(self.now),
            "refused": self.refused,
            "actions": [
                {"kind": a.kind, "resource": a.resource, "action": a.action, "reason": a.reason}
                for a in self.actions
            ],
            "waiting": [
                {
                    "kind": w.kind,
                    "resource": w.resource,
                    "reason": w.reason,
                    "marked_at": format_mark(w.marked_at),
                    "deletes_after": format_mark(w.deletes_after),
                }
                for w in self.waiting
            ],
            "kept": [{"kind": k.kind, "resource": k.resource, "reasons": list(k.reasons)} for k in self.kept],
            "left_alone": [{"kind": x.kind, "resource": x.resource, "why": x.why} for x in self.left_alone],
            "out_of_scope": dict(self.out_of_scope),
            "warnings": list(self.warnings),
        }

    def lines(self) -> list[str]:
        """The plan as a dry run prints it: every action with its reason, then what is kept and why."""
        counts = {name: sum(1 for a in self.actions if a.action == name) for name in (MARK, UNMARK, DELETE)}
        out = [
            f"Cleanup plan at {iso_day(self.now)}: {counts[MARK]} to mark, {counts[DELETE]} to delete, "
            f"{counts[UNMARK]} to unmark, {len(self.waiting)} marked and waiting, {len(self.kept)} kept"
        ]
        if self.refused:
            out.append(f"REFUSED, nothing will change: {self.refused}")
        out += [f"  {a.action:<10} {a.kind:<17} {a.resource}: {a.reason}" for a in self.actions]
        out += [
            f"  waiting    {w.kind:<17} {w.resource}: until {iso_day(w.deletes_after)}: {w.reason}"
            for w in self.waiting
        ]
        out += [f"  kept       {k.kind:<17} {k.resource}: {'; '.join(k.reasons)}" for k in self.kept]
        out += [f"  left alone {x.kind:<17} {x.resource}: {x.why}" for x in self.left_alone]
        out += [f"  out of scope: {n} {kind}" for kind, n in self.out_of_scope.items() if n]
        out += [f"  warning: {w}" for w in self.warnings]
        return out


def delete_batches(plan: CleanupPlan) -> list[tuple[str, ...]]:
    """The revisions to delete, in DeleteTaskDefinitions calls (after their deregistrations)."""
    arns = plan.deletions(TASK_DEFINITION)
    size = DELETE_TASK_DEFINITIONS_BATCH
    return [tuple(arns[i : i + size]) for i in range(0, len(arns), size)]


class _Planner:
    def __init__(self, policy: CleanupPolicy, now: float) -> None:
        self.policy = policy
        self.now = now
        self.actions: list[PlannedAction] = []
        self.kept: list[Kept] = []
        self.waiting: list[Waiting] = []
        self.left_alone: list[LeftAlone] = []
        self.out_of_scope = dict.fromkeys(KINDS, 0)
        self.in_scope = dict.fromkeys(KINDS, 0)
        self.warnings: list[str] = []
        self.deleted: set[tuple[str, str]] = set()
        self.needs_revision_images: tuple[str, ...] = ()

    def take(self, found: Findings) -> None:
        self.warnings += found.warnings
        self.needs_revision_images += found.needs_revision_images
        for finding in found.findings:
            self.decide(finding)

    def deletions(self, kind: str) -> set[str]:
        return {resource for k, resource in self.deleted if k == kind}

    def decide(self, finding: Finding) -> None:
        policy, kind, resource = self.policy, finding.kind, finding.resource
        if not policy.scope.contains(finding.placement):
            self.out_of_scope[kind] += 1
            return
        self.in_scope[kind] += 1
        if policy.protect_tag in (finding.placement.tags or {}):
            self.left_alone.append(LeftAlone(kind, resource, f"protected by the tag {policy.protect_tag}"))
            return
        if finding.managed_by:
            self.left_alone.append(LeftAlone(kind, resource, f"managed by {finding.managed_by}"))
            return
        marked_at = finding.marked_at
        if not finding.orphan:
            self.kept.append(Kept(kind, resource, finding.reasons))
            if marked_at is not None:
                self.act(finding, UNMARK, "no longer an orphan: " + "; ".join(finding.reasons))
            return
        why = finding.reasons[0]
        grace = policy.grace_seconds
        if marked_at is None:
            ends = iso_day(self.now + grace)
            self.act(
                finding, MARK, f"{why}; found {iso_day(self.now)}, deleted after {ends} if still an orphan"
            )
        elif self.now >= marked_at + grace:
            first = [x for x in finding.after if (kind, x) not in self.deleted]
            if first:
                why = f"{why}; waits for {', '.join(first)} to be deleted first"
                self.waiting.append(Waiting(kind, resource, why, marked_at, marked_at + grace))
                return
            why = f"{why}; an orphan since {iso_day(marked_at)}, past the grace period"
            if kind == TASK_DEFINITION and finding.status == ACTIVE:
                self.act(finding, DEREGISTER, why)
            self.act(finding, DELETE, why)
        else:
            self.waiting.append(Waiting(kind, resource, why, marked_at, marked_at + grace))

    def act(self, finding: Finding, action: str, reason: str) -> None:
        self.actions.append(PlannedAction(finding.kind, finding.resource, action, reason))
        if action == DELETE:
            self.deleted.add((finding.kind, finding.resource))

    def guard(self) -> str | None:
        trips = []
        for kind in KINDS:
            deleted = len(self.deletions(kind))
            total = self.in_scope[kind]
            if not deleted:
                continue
            guard = self.policy.guard_for(kind)
            if guard.max_count is not None and deleted > guard.max_count:
                trips.append(f"{deleted} {kind} deletions, more than the limit of {guard.max_count}")
            percent = 100.0 * deleted / total
            if guard.max_percent is not None and percent > guard.max_percent:
                trips.append(
                    f"{deleted} of {total} {kind} in scope ({percent:.0f}%), more than {guard.max_percent:g}%"
                )
        return "; ".join(trips) or None

    def plan(self) -> CleanupPlan:
        refused = self.guard()
        return CleanupPlan(
            now=self.now,
            actions=() if refused else tuple(self.actions),
            kept=tuple(self.kept),
            waiting=tuple(self.waiting),
            left_alone=tuple(self.left_alone),
            out_of_scope={kind: n for kind, n in self.out_of_scope.items() if n},
            refused=refused,
            warnings=tuple(dict.fromkeys(self.warnings)),
            needs_revision_images=tuple(dict.fromkeys(self.needs_revision_images)),
        )


def plan_cleanup(inventory: Inventory, policy: CleanupPolicy, now: float) -> CleanupPlan:
    """What a cleanup would do to this account at ``now``; changes nothing."""
    planner = _Planner(policy, now)
    usage = revisions_in_use(inventory, keep=policy.keep_revisions, now=now)

    def staying() -> list[Revision]:
        """The revisions left after this plan: not deleted by it, and not on their way out unless a
        task still runs them (ECS removes a DELETE_IN_PROGRESS revision once no task uses it)."""
        deleted = planner.deletions(TASK_DEFINITION)
        return [
            r
            for r in inventory.revisions
            if r.arn not in deleted and (r.status != DELETE_IN_PROGRESS or r.arn in usage.in_use)
        ]

    finders: dict[str, Callable[[], Findings]] = {
        TASK_DEFINITION: lambda: revision_findings(inventory, policy, usage),
        SERVICE: lambda: service_findings(inventory, policy, now),
        TARGET_GROUP: lambda: target_group_findings(inventory, policy),
        NETWORK_INTERFACE: lambda: network_interface_findings(inventory),
        LOG_GROUP: lambda: log_group_findings(inventory, staying(), policy, now),
        LEASE: lambda: lease_findings(inventory, now),
        DEPLOY_RECORD: lambda: deploy_record_findings(inventory, policy, now),
        # last: an image stays in use while a revision that stays uses it
        IMAGE: lambda: image_findings(inventory, staying(), policy, now),
    }
    for kind in KINDS:
        if kind in policy.kinds:
            planner.take(finders[kind]())
    return planner.plan()
