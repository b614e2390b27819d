"""The orphan rules, one finder per kind: each resource is an orphan (with why) or kept (with every reason).

Finders only judge; what may be changed (scope, protected tag, other AWS features' resources, marks
and the grace period, guards) is cleanup_plan.py's. A resource a rule never considers (a service that is
no slot of this tool) gets no finding. ENIs and log groups, what stopped tasks leave behind, are
judged in orphans_tasks.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fargate_ops.domain.cleanup_policy import (
    DEPLOY_RECORD,
    IMAGE,
    LEASE,
    SERVICE,
    TARGET_GROUP,
    TASK_DEFINITION,
    CleanupPolicy,
    Placement,
)
from fargate_ops.domain.inventory import (
    DELETE_IN_PROGRESS,
    MARK_TAG,
    DeployRecord,
    Inventory,
    Revision,
    Service,
    Tags,
    iso_day,
    managed_by,
    parse_mark,
)
from fargate_ops.domain.references import (
    Reasons,
    RevisionUsage,
    family_clusters,
    images_in_use,
    target_groups_in_use,
)
from fargate_ops.frozen import frozen


@frozen
class Finding:
    kind: str
    resource: str
    orphan: bool
    reasons: tuple[str, ...]  # why it is an orphan (one), or every reason it is kept
    placement: Placement
    managed_by: str | None = None
    marked_at: float | None = None
    status: str | None = None  # a revision's status (ACTIVE needs deregistering before deleting)
    after: tuple[str, ...] = ()  # of the same kind, to be deleted first in the same plan (its indexes)


@frozen
class Findings:
    """A finder's findings, and what it could not resolve (for the report)."""

    findings: list[Finding]
    warnings: tuple[str, ...] = ()
    needs_revision_images: tuple[str, ...] = ()  # images: judged once these revisions are described


def _days(seconds: float) -> str:
    return f"{seconds / 86_400:g} days"


def _tag_mark(tags: Tags) -> float | None:
    return parse_mark(tags.get(MARK_TAG))


def _kept_or_orphan(in_use: Reasons, resource: str, orphan_reason: str) -> tuple[bool, tuple[str, ...]]:
    reasons = in_use.get(resource)
    return (False, reasons) if reasons else (True, (orphan_reason,))


# --- task definition revisions -------------------------------------------------------------------------


def revision_findings(inventory: Inventory, policy: CleanupPolicy, usage: RevisionUsage) -> Findings:
    """Every revision but those being deleted already (DELETE_IN_PROGRESS needs nothing more)."""
    clusters = family_clusters(inventory)
    findings = []
    for revision in inventory.revisions:
        if revision.status == DELETE_IN_PROGRESS:
            continue
        orphan, reasons = _kept_or_orphan(
            usage.in_use,
            revision.arn,
            "no service, task, rule, schedule or deploy uses it, and it is not among the newest "
            f"{policy.keep_revisions} ACTIVE revisions of {revision.family}",
        )
        placement = Placement(
            clusters=clusters.get(revision.family, frozenset()), family=revision.family, tags=revision.tags
        )
        findings.append(
            Finding(
                TASK_DEFINITION,
                revision.arn,
                orphan,
                reasons,
                placement,
                managed_by(None, revision.tags),
                _tag_mark(revision.tags),
                revision.status,
            )
        )
    return Findings(findings, usage.warnings)


# --- target groups -------------------------------------------------------------------------------------


def target_group_findings(inventory: Inventory, policy: CleanupPolicy) -> Findings:
    """A target group no one uses is an orphan if this tool created it or the scope selects it by tag:
    an open scope never makes someone else's target group a candidate."""
    in_use = target_groups_in_use(inventory)
    clusters: dict[str, set[str]] = {}
    for app in inventory.applications:
        for arn in app.target_groups:
            clusters.setdefault(arn, set()).add(app.cluster)
    for service in inventory.services:
        for arn in service.target_groups:
            clusters.setdefault(arn, set()).add(service.cluster)
    findings = []
    for group in inventory.target_groups:
        ours = policy.own_tag in group.tags
        if group.arn in in_use:
            orphan, reasons = False, in_use[group.arn]
        elif ours or policy.scope.tags is not None:
            who = "this tool created it" if ours else "the scope selects it by tag"
            orphan, reasons = True, (f"no listener, rule or service uses it, and {who}",)
        else:
            orphan, reasons = False, ("not created by this tool, and the scope selects no tags",)
        findings.append(
            Finding(
                TARGET_GROUP,
                group.arn,
                orphan,
                reasons,
                Placement(clusters=frozenset(clusters.get(group.arn, ())), tags=group.tags),
                managed_by(group.managed_by, group.tags),
                _tag_mark(group.tags),
            )
        )
    return Findings(findings)


# --- idle slot services --------------------------------------------------------------------------------


def _slot_reasons(
    service: Service,
    app_label: str,
    live: bool,
    records: list[DeployRecord],
    policy: CleanupPolicy,
    now: float,
) -> list[str]:
    reasons = []
    if service.desired_count > 0:
        reasons.append(f"desired count {service.desired_count}")
    if service.running_count or service.pending_count:
        reasons.append(f"{service.running_count + service.pending_count} tasks running or pending")
    if live:
        reasons.append(f"the live slot of {app_label}")
    for record in records:
        if not record.final:
            reasons.append(f"deploy {record.deploy_id} of {app_label} is {record.status}")
        elif now < record.rollback_until:
            reasons.append(f"deploy {record.deploy_id} may roll back until {iso_day(record.rollback_until)}")
    idle_since = max(
        [service.created_at, *(d.updated_at for d in service.deployments), *(r.ended_at for r in records)]
    )
    if now - idle_since < policy.idle_slot_seconds:
        reasons.append(f"idle only since {iso_day(idle_since)}, less than {_days(policy.idle_slot_seconds)}")
    return reasons


def service_findings(inventory: Inventory, policy: CleanupPolicy, now: float) -> Findings:
    """The slots of this tool's applications: an idle one is desired 0 with no task, not the live
    slot, with no deploy running (or holding the lease, or in its rollback window), idle for long."""
    services = {(s.cluster, s.name): s for s in inventory.services if s.exists}
    reasons: dict[str, list[str]] = {}
    of: dict[str, Service] = {}
    for app in inventory.applications:
        label = f"application {app.cluster}/{app.name}"
        records = [
            r for r in inventory.deploy_records if (r.cluster, r.application) == (app.cluster, app.name)
        ]
        leases = [
            lease
            for lease in inventory.leases
            if (lease.cluster, lease.application) == (app.cluster, app.name) and lease.expires_at > now
        ]
        for slot in app.slots:
            service = services.get((app.cluster, slot))
            if service is None:
                continue
            found = reasons.setdefault(service.arn, [])
            of[service.arn] = service
            found += _slot_reasons(service, label, slot == app.live_slot, records, policy, now)
            found += [
                f"deploy {x.deploy_id} holds the lease of {label} until {iso_day(x.expires_at)}"
                for x in leases
            ]
    findings = []
    for arn, kept in reasons.items():
        service = of[arn]
        orphan = not kept
        why = tuple(dict.fromkeys(kept)) or (
            f"an idle slot: desired 0, no task, not live, no deploy for {_days(policy.idle_slot_seconds)}",
        )
        placement = Placement(clusters=frozenset({service.cluster}), tags=service.tags)
        findings.append(
            Finding(
                SERVICE,
                arn,
                orphan,
                why,
                placement,
                managed_by(service.managed_by, service.tags),
                _tag_mark(service.tags),
            )
        )
    return Findings(findings)


# --- the table's own items -----------------------------------------------------------------------------


def lease_findings(inventory: Inventory, now: float) -> Findings:
    """A lease is stale once expired and its deploy is over. A lease and its deploy record are written
    in one transaction, and a record is deleted only when final: a lease without one outlived it."""
    records = {r.deploy_id: r for r in inventory.deploy_records}
    findings = []
    for lease in inventory.leases:
        record = records.get(lease.deploy_id)
        if lease.expires_at > now:
            orphan, why = False, f"held by deploy {lease.deploy_id} until {iso_day(lease.expires_at)}"
        elif record is not None and not record.final:
            orphan, why = False, f"deploy {lease.deploy_id} is still {record.status} and may renew it"
        else:
            over = "is over" if record is not None else "is over (its record is gone)"
            orphan, why = True, f"expired {iso_day(lease.expires_at)} and deploy {lease.deploy_id} {over}"
        placement = Placement(clusters=frozenset({lease.cluster}))
        findings.append(
            Finding(LEASE, lease.key, orphan, (why,), placement, None, _mark(inventory, LEASE, lease.key))
        )
    return Findings(findings)


def deploy_record_findings(inventory: Inventory, policy: CleanupPolicy, now: float) -> Findings:
    """A deploy record expires when final and older than the retention (or past its TTL), out of its
    rollback window, and not the last deploy of its application (which `status` shows)."""
    last = {app.last_deploy_id for app in inventory.applications if app.last_deploy_id}
    findings = []
    for record in inventory.deploy_records:
        kept = []
        if not record.final:
            kept.append(f"{record.status}, not final")
        if now < record.rollback_until:
            kept.append(f"its rollback window is open until {iso_day(record.rollback_until)}")
        if record.deploy_id in last:
            kept.append("the last deploy of its application")
        overdue = record.expires_at is not None and now >= record.expires_at
        if now - record.ended_at < policy.record_retention_seconds and not overdue:
            kept.append(f"ended {iso_day(record.ended_at)}, within {_days(policy.record_retention_seconds)}")
        why = tuple(kept) or (
            f"final ({record.status}) since {iso_day(record.ended_at)}, past its retention",
        )
        placement = Placement(clusters=frozenset({record.cluster}))
        mark = _mark(inventory, DEPLOY_RECORD, record.deploy_id)
        findings.append(Finding(DEPLOY_RECORD, record.deploy_id, not kept, why, placement, None, mark))
    return Findings(findings)


def _mark(inventory: Inventory, kind: str, resource: str) -> float | None:
    return inventory.marks.get((kind, resource))


# --- ECR images ----------------------------------------------------------------------------------------


def image_findings(
    inventory: Inventory, staying: Iterable[Revision], policy: CleanupPolicy, now: float
) -> Findings:
    """Images no staying revision (nor anything in ``image_uses``) uses, pushed and pulled long ago.

    The revisions whose images are unknown (not described: one DescribeTaskDefinition each) are left
    out. That can only make more images orphans; so if even then no image the cleanup may change is
    an orphan, the judgement stands (the plan is the same, only the kept images' reasons lack the
    revisions that use them). Otherwise no image is judged, and ``Findings.needs_revision_images``
    names the revisions to describe.
    """
    staying = list(staying)
    known = [r for r in staying if r.images is not None]
    findings, warnings = _judge_images(inventory, known, policy, now)
    unknown = tuple(r.arn for r in staying if r.images is None)
    if unknown and any(f.orphan and may_change(f, policy) for f in findings):
        why = f"images of {len(unknown)} revisions are unknown: no image is judged"
        return Findings([], (why,), unknown)
    return Findings(findings, warnings)


def may_change(finding: Finding, policy: CleanupPolicy) -> bool:
    """In scope, not protected, not managed by another feature (cleanup_plan.py's first checks)."""
    tags = finding.placement.tags or {}
    return (
        policy.scope.contains(finding.placement) and policy.protect_tag not in tags and not finding.managed_by
    )


def _judge_images(
    inventory: Inventory, staying: list[Revision], policy: CleanupPolicy, now: float
) -> tuple[list[Finding], tuple[str, ...]]:
    usage = images_in_use(inventory, staying)
    repositories = {r.name: r for r in inventory.repositories}
    listed_by: dict[tuple[str, str], list[str]] = {}
    for index in inventory.images:
        for child in index.children:
            listed_by.setdefault((index.repository, child), []).append(index.id)
    findings = []
    # Indexes first: ECR refuses to delete a platform image an index still lists
    # (ImageReferencedByManifestList), and an index without its platforms is broken; so a platform image
    # is deleted only in a plan that deletes every index listing it, after them.
    for image in sorted(inventory.images, key=lambda i: not i.children):
        kept = list(usage.in_use.get(image.id, ()))
        if now - image.pushed_at < policy.image_min_idle_seconds:
            kept.append(f"pushed {iso_day(image.pushed_at)}, within {_days(policy.image_min_idle_seconds)}")
        if image.last_pulled_at is not None and now - image.last_pulled_at < policy.image_min_idle_seconds:
            kept.append(
                f"pulled {iso_day(image.last_pulled_at)}, within {_days(policy.image_min_idle_seconds)}"
            )
        why = tuple(kept) or ("no revision that stays uses it, by tag, digest or image index",)
        repository = repositories.get(image.repository)
        tags: Mapping[str, str] = repository.tags if repository else {}
        owner = managed_by(repository.managed_by if repository else None, tags)
        placement = Placement(repository=image.repository, tags=tags)
        mark = _mark(inventory, IMAGE, image.id)
        after = tuple(listed_by.get((image.repository, image.digest), ()))
        findings.append(Finding(IMAGE, image.id, not kept, why, placement, owner, mark, after=after))
    return findings, usage.warnings
