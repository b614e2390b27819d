"""An oracle of "in use", "in scope" and "left alone" for the cleanup properties.

It follows the definitions of docs/cleanup.md by brute force, without the domain's reference graph,
so a property compares the plan with a second, independent reading of the rules.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from fargate_ops.domain.cleanup_policy import (
    DEPLOY_RECORD,
    LEASE,
    LOG_GROUP,
    NETWORK_INTERFACE,
    SERVICE,
    TARGET_GROUP,
    TASK_DEFINITION,
    CleanupPolicy,
    Scope,
)
from fargate_ops.domain.inventory import ACTIVE, DeployRecord, Inventory
from tests.unit.cleanup_world import image_uri

MANAGING_TAGS = ("aws:cloudformation:stack-name", "AmazonECSManaged")


# --- the oracle: in use ---------------------------------------------------------------------------------


def _family_and_number(reference: str) -> tuple[str, str]:
    family, _, number = reference.split("/")[-1].partition(":")
    return family, number


def _rollback_open(record: DeployRecord, now: float) -> bool:
    ended = record.finished_at if record.finished_at is not None else record.started_at
    return record.status == "RUNNING" or now < ended + record.rollback_window_seconds


def revisions_in_use(state: Inventory, keep: int, now: float) -> set[str]:
    """Referenced anywhere in the account, a rollback target, or among the newest ``keep`` ACTIVE."""
    existing = [s for s in state.services if s.status != "INACTIVE"]
    references = [d.task_definition for s in existing for d in s.deployments]
    references += [t.task_definition for s in existing for t in s.task_sets]
    references += [t.task_definition for t in state.tasks if t.last_status != "STOPPED"]
    references += [r.task_definition for r in state.rule_targets]
    references += [s.task_definition for s in state.schedule_targets]
    for record in state.deploy_records:
        if _rollback_open(record, now):
            references += [x for x in (record.live_task_definition, record.green_task_definition) if x]
    used = set()
    for r in state.revisions:
        active = sorted(
            (x.revision for x in state.revisions if x.family == r.family and x.status == ACTIVE), reverse=True
        )
        for reference in references:
            family, number = _family_and_number(reference)
            if family == r.family and (
                number == str(r.revision) or (not number and active and r.revision == active[0])
            ):
                used.add(r.arn)
        if r.status == ACTIVE and r.revision in active[:keep]:
            used.add(r.arn)
    return used


def target_groups_in_use(state: Inventory) -> set[str]:
    used = {g for x in state.listeners for g in x.target_groups}
    used |= {g for r in state.listener_rules for g in r.target_groups}
    for s in state.services:
        if s.status != "INACTIVE":
            used |= set(s.target_groups) | {g for t in s.task_sets for g in t.target_groups}
    used |= {g.arn for g in state.target_groups if g.load_balancer_arns}
    return used | {g for a in state.applications for g in a.target_groups}


def services_in_use(state: Inventory, policy: CleanupPolicy, now: float) -> set[str]:
    """Every service but an idle slot of this tool's applications."""
    idle = set()
    for app in state.applications:
        records = [r for r in state.deploy_records if (r.cluster, r.application) == (app.cluster, app.name)]
        busy = any(_rollback_open(r, now) for r in records)
        busy |= any(
            (x.cluster, x.application) == (app.cluster, app.name) and x.expires_at > now for x in state.leases
        )
        for s in state.services:
            if s.cluster != app.cluster or s.name not in app.slots or s.name == app.live_slot or busy:
                continue
            last = max([s.created_at, *(d.updated_at for d in s.deployments), *(r.ended_at for r in records)])
            if (
                s.desired_count == s.running_count == s.pending_count == 0
                and now - last >= policy.idle_slot_seconds
            ):
                idle.add(s.arn)
    return {s.arn for s in state.services} - idle


def images_in_use(state: Inventory, revisions: Iterable[str]) -> set[str]:
    """Images the given revisions use by tag or digest, closed over image indexes both ways."""
    chosen = set(revisions)
    wanted = {u for r in state.revisions if r.arn in chosen for u in r.images or ()}
    used = set()
    for i in state.images:
        names = {image_uri(i.repository, tag=t) for t in i.tags} | {image_uri(i.repository, digest=i.digest)}
        if names & wanted:
            used.add(i.id)
    pairs = [
        (i, c)
        for i in state.images
        for c in state.images
        if c.repository == i.repository and c.digest in i.children
    ]
    while True:
        more = {c.id for i, c in pairs if i.id in used} | {i.id for i, c in pairs if c.id in used}
        if more <= used:
            return used
        used |= more


def network_interfaces_kept(state: Inventory) -> set[str]:
    """Every ENI but an available one that ECS created for a task here and no live task lists."""
    listed = {e for t in state.tasks if t.last_status != "STOPPED" for e in t.network_interfaces}
    ecs = f"arn:aws:ecs:{state.region}:{state.account}:attachment/"
    candidates = {
        e.id
        for e in state.network_interfaces
        if e.requester_managed
        and e.interface_type == "interface"
        and e.description.startswith(ecs)
        and e.status == "available"
        and e.id not in listed
    }
    return {e.id for e in state.network_interfaces} - candidates


def log_groups_kept(
    state: Inventory, staying: Iterable[str], prefixes: tuple[str, ...], idle: float, now: float
) -> set[str]:
    """Every log group but one of the prefixes, named by no staying revision, quiet for ``idle``; all of
    them while a staying revision's log groups are unknown."""
    chosen = set(staying)
    revisions = [r for r in state.revisions if r.arn in chosen]
    everything = {g.name for g in state.log_groups}
    if any(r.log_groups is None for r in revisions):
        return everything
    named = {g for r in revisions for g in r.log_groups or ()}
    quiet = {
        g.name
        for g in state.log_groups
        if any(g.name.startswith(p) for p in prefixes)
        and g.name not in named
        and now - (g.last_event_at if g.last_event_at is not None else g.created_at) >= idle
    }
    return everything - quiet


# --- the oracle: in scope, protected, managed -----------------------------------------------------------


def _matches(name: str | None, patterns: tuple[str, ...] | None) -> bool:
    return patterns is None or (name is not None and any(fnmatch.fnmatchcase(name, p) for p in patterns))


def placement(
    state: Inventory, kind: str, resource: str
) -> tuple[set[str], str | None, str | None, dict[str, str] | None]:
    """(clusters, family, repository, tags) of a resource, as docs/cleanup.md's scope table says."""
    if kind == TASK_DEFINITION:
        r = next(x for x in state.revisions if x.arn == resource)
        pairs = [(s.cluster, d.task_definition) for s in state.services for d in s.deployments]
        pairs += [(s.cluster, t.task_definition) for s in state.services for t in s.task_sets]
        pairs += [(t.cluster, t.task_definition) for t in state.tasks]
        pairs += [(t.cluster, t.task_definition) for t in state.rule_targets]
        pairs += [(t.cluster, t.task_definition) for t in state.schedule_targets]
        for d in state.deploy_records:
            pairs += [(d.cluster, x) for x in (d.live_task_definition, d.green_task_definition) if x]
        return {c for c, td in pairs if _family_and_number(td)[0] == r.family}, r.family, None, dict(r.tags)
    if kind == TARGET_GROUP:
        g = next(x for x in state.target_groups if x.arn == resource)
        known = {a.cluster for a in state.applications if resource in a.target_groups}
        return (
            known | {s.cluster for s in state.services if resource in s.target_groups},
            None,
            None,
            dict(g.tags),
        )
    if kind == SERVICE:
        s = next(x for x in state.services if x.arn == resource)
        return {s.cluster}, None, None, dict(s.tags)
    if kind == NETWORK_INTERFACE:
        return set(), None, None, dict(next(x for x in state.network_interfaces if x.id == resource).tags)
    if kind == LOG_GROUP:  # named by no revision that stays: no cluster, no family
        return set(), None, None, dict(next(x for x in state.log_groups if x.name == resource).tags)
    if kind == LEASE:
        return {next(x for x in state.leases if x.key == resource).cluster}, None, None, None
    if kind == DEPLOY_RECORD:
        return {next(x for x in state.deploy_records if x.deploy_id == resource).cluster}, None, None, None
    i = next(x for x in state.images if x.id == resource)
    repository = next((r for r in state.repositories if r.name == i.repository), None)
    return set(), None, i.repository, dict(repository.tags) if repository else {}


def in_scope(state: Inventory, scope: Scope, kind: str, resource: str) -> bool:
    found_clusters, family, repository, found_tags = placement(state, kind, resource)
    if scope.clusters is not None and not any(_matches(c, scope.clusters) for c in found_clusters):
        return False
    if not _matches(family, scope.families) or not _matches(repository, scope.repositories):
        return False
    if scope.tags is None:
        return True
    if found_tags is None:
        return False
    return all(k in found_tags and fnmatch.fnmatchcase(found_tags[k], v) for k, v in scope.tags.items())


def untouchable(state: Inventory, kind: str, resource: str) -> bool:
    """Protected by tag, or managed by another feature (by tag, or declared so by the adapter)."""
    found_tags = placement(state, kind, resource)[3] or {}
    if "fargate-ops:protect" in found_tags or any(t in found_tags for t in MANAGING_TAGS):
        return True
    return kind == TARGET_GROUP and any(g.managed_by for g in state.target_groups if g.arn == resource)
