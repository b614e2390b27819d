"""The reference graph: what is in use, over the whole account and region, and every reason why.

Always decided over everything the inventory holds, whatever the scope of deletion: a revision of a
family in scope that only a staging service runs is in use, though staging is out of scope.

- A revision is in use if a service deployment or task set, a running or pending task, an EventBridge
  rule or a Scheduler schedule uses it (a family-only reference means the family's latest ACTIVE
  revision), if a deploy may roll back to it (one not final yet, RUNNING, or a finished one within its
  rollback window: its live and green revisions), or if it is among the newest N ACTIVE revisions of
  its family.
- A target group is in use if a listener, a listener rule, a service or a task set names it, a load
  balancer routes to it, or an application of this tool has it as a slot's target group.
- An image is in use if a revision that stays uses it, by tag or by digest, or something else does
  (``Inventory.image_uses``). The platform images of an index in use are in use, and so is every
  index that lists a platform image in use: deleting either half breaks the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from fargate_ops.domain.inventory import (
    ACTIVE,
    Image,
    Inventory,
    Revision,
    ecr_image_ref,
    iso_day,
    task_definition_ref,
)
from fargate_ops.domain.services import cluster_name
from fargate_ops.frozen import frozen

Reasons = Mapping[str, tuple[str, ...]]


class _Reasons:
    """Resource -> reasons, in the order found, each reason once."""

    def __init__(self) -> None:
        self._by: dict[str, list[str]] = {}

    def add(self, resource: str, reason: str) -> bool:
        """True if the resource was not in use before."""
        reasons = self._by.setdefault(resource, [])
        fresh = not reasons
        if reason not in reasons:
            reasons.append(reason)
        return fresh

    def __contains__(self, resource: str) -> bool:
        return resource in self._by

    def frozen(self) -> dict[str, tuple[str, ...]]:
        return {resource: tuple(reasons) for resource, reasons in self._by.items()}


# --- task definition revisions -------------------------------------------------------------------------


@frozen
class RevisionIndex:
    by_key: Mapping[tuple[str, int], Revision]
    latest_active: Mapping[str, Revision]  # family -> what a family-only reference runs

    @classmethod
    def of(cls, revisions: Iterable[Revision]) -> RevisionIndex:
        by_key: dict[tuple[str, int], Revision] = {}
        latest: dict[str, Revision] = {}
        for revision in revisions:
            by_key[(revision.family, revision.revision)] = revision
            best = latest.get(revision.family)
            if revision.status == ACTIVE and (best is None or revision.revision > best.revision):
                latest[revision.family] = revision
        return cls(by_key, latest)

    def resolve(self, text: str) -> Revision | None:
        ref = task_definition_ref(text)
        if ref.revision is None:
            return self.latest_active.get(ref.family)
        return self.by_key.get((ref.family, ref.revision))


def _short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _task_definition_uses(inventory: Inventory, now: float) -> Iterator[tuple[str, str]]:
    """(task definition as written, why that makes it in use) for every reference in the account."""
    for service in inventory.services:
        if not service.exists:
            continue
        where = f"service {service.cluster}/{service.name}"
        for deployment in service.deployments:
            yield deployment.task_definition, f"run by the {deployment.status} deployment of {where}"
        for task_set in service.task_sets:
            yield task_set.task_definition, f"run by task set {task_set.id} of {where}"
    for task in inventory.tasks:
        if task.live:
            where = f"cluster {cluster_name(task.cluster)}"
            yield task.task_definition, f"run by {task.last_status} task {_short(task.arn)} in {where}"
    for rule in inventory.rule_targets:
        state = "" if rule.enabled else " (disabled, may be enabled again)"
        where = f"EventBridge rule {rule.rule} on bus {rule.event_bus} (target {rule.target_id})"
        yield rule.task_definition, f"started by {where}{state}"
    for schedule in inventory.schedule_targets:
        state = "" if schedule.enabled else " (disabled, may be enabled again)"
        where = f"EventBridge Scheduler schedule {schedule.group}/{schedule.schedule}"
        yield schedule.task_definition, f"started by {where}{state}"
    for record in inventory.deploy_records:
        if not record.final:
            why = f"deploy {record.deploy_id} is {record.status}"
            live_why, green_why = f"{why}: a rollback returns to it", f"{why}: it is green"
        elif now < record.rollback_until:
            live_why = (
                f"deploy {record.deploy_id} may be rolled back to it until {iso_day(record.rollback_until)}"
            )
            green_why = f"deploy {record.deploy_id} released it; its rollback window is open"
        else:
            continue
        if record.live_task_definition:
            yield record.live_task_definition, live_why
        if record.green_task_definition:
            yield record.green_task_definition, green_why


@frozen
class RevisionUsage:
    in_use: Reasons  # revision ARN -> every reason
    warnings: tuple[str, ...]


def revisions_in_use(inventory: Inventory, *, keep: int, now: float) -> RevisionUsage:
    index = RevisionIndex.of(inventory.revisions)
    reasons = _Reasons()
    warnings: list[str] = []
    for text, why in _task_definition_uses(inventory, now):
        revision = index.resolve(text)
        if revision is None:
            warnings.append(f"{why}: {text} is not in the inventory")
            continue
        if task_definition_ref(text).revision is None:
            why += f" (a family-only reference: the latest ACTIVE revision of {revision.family})"
        reasons.add(revision.arn, why)
    families: dict[str, list[Revision]] = {}
    for revision in inventory.revisions:
        if revision.status == ACTIVE:
            families.setdefault(revision.family, []).append(revision)
    for family, active in families.items():
        for revision in sorted(active, key=lambda r: r.revision, reverse=True)[:keep]:
            reasons.add(revision.arn, f"among the newest {keep} ACTIVE revisions of {family}")
    return RevisionUsage(reasons.frozen(), tuple(warnings))


def family_clusters(inventory: Inventory) -> dict[str, frozenset[str]]:
    """Family -> the clusters that use it (services, tasks, rules, schedules, deploys), by name."""
    found: dict[str, set[str]] = {}

    def add(task_definition: str | None, cluster: str) -> None:
        if task_definition and cluster:
            found.setdefault(task_definition_ref(task_definition).family, set()).add(cluster_name(cluster))

    for service in inventory.services:
        for deployment in service.deployments:
            add(deployment.task_definition, service.cluster)
        for task_set in service.task_sets:
            add(task_set.task_definition, service.cluster)
    for task in inventory.tasks:
        add(task.task_definition, task.cluster)
    for rule in inventory.rule_targets:
        add(rule.task_definition, rule.cluster)
    for schedule in inventory.schedule_targets:
        add(schedule.task_definition, schedule.cluster)
    for record in inventory.deploy_records:
        add(record.live_task_definition, record.cluster)
        add(record.green_task_definition, record.cluster)
    return {family: frozenset(clusters) for family, clusters in found.items()}


# --- target groups -------------------------------------------------------------------------------------


def target_groups_in_use(inventory: Inventory) -> Reasons:
    reasons = _Reasons()
    for listener in inventory.listeners:
        for arn in listener.target_groups:
            reasons.add(arn, f"forwarded to by listener {listener.arn}")
    for rule in inventory.listener_rules:
        for arn in rule.target_groups:
            reasons.add(arn, f"forwarded to by listener rule {rule.arn}")
    for service in inventory.services:
        if not service.exists:
            continue
        for arn in service.target_groups:
            reasons.add(arn, f"the load balancer of service {service.cluster}/{service.name}")
        for task_set in service.task_sets:
            for arn in task_set.target_groups:
                reasons.add(arn, f"the load balancer of task set {task_set.id} of {service.name}")
    for group in inventory.target_groups:
        for balancer in group.load_balancer_arns:
            reasons.add(group.arn, f"a load balancer routes to it ({balancer})")
    for app in inventory.applications:
        for arn in app.target_groups:
            reasons.add(arn, f"a slot target group of application {app.cluster}/{app.name}")
    return reasons.frozen()


# --- ECR images ----------------------------------------------------------------------------------------


@frozen
class ImageUsage:
    in_use: Reasons  # image id (repository@digest) -> every reason
    warnings: tuple[str, ...]


def images_in_use(inventory: Inventory, staying: Iterable[Revision]) -> ImageUsage:
    """Images used by the revisions that stay (not deleted by this plan) and by ``image_uses``."""
    by_digest: dict[tuple[str, str], Image] = {}
    by_tag: dict[tuple[str, str], Image] = {}
    indexes_of: dict[tuple[str, str], list[Image]] = {}
    for image in inventory.images:
        by_digest[(image.repository, image.digest)] = image
        for tag in image.tags:
            by_tag[(image.repository, tag)] = image
        for child in image.children:
            indexes_of.setdefault((image.repository, child), []).append(image)

    uses = [
        (uri, f"used by task definition {r.family}:{r.revision}") for r in staying for uri in r.images or ()
    ]
    uses += [(use.image, f"used by {use.user}") for use in inventory.image_uses]
    reasons = _Reasons()
    warnings: list[str] = []
    pending: list[Image] = []
    for uri, why in uses:
        ref = ecr_image_ref(uri, inventory.account, inventory.region)
        if ref is None:
            continue
        found = [by_tag.get((ref.repository, ref.tag)) if ref.tag else None]
        found.append(by_digest.get((ref.repository, ref.digest)) if ref.digest else None)
        for image in filter(None, found):
            if reasons.add(image.id, why):
                pending.append(image)
            if image.archived:
                warnings.append(f"{image.id} is archived and {why}: a new task cannot pull it until restored")
    # An index and its platform images stand or fall together, whichever of them is referenced. Only
    # what is not in use yet gets a reason this way (else the reasons would go round in a circle).
    while pending:
        image = pending.pop()
        platforms = (by_digest.get((image.repository, child)) for child in image.children)
        for platform in filter(None, platforms):
            if platform.id not in reasons:
                reasons.add(platform.id, f"a platform image of index {image.id}")
                pending.append(platform)
        for index in indexes_of.get((image.repository, image.digest), ()):
            if index.id not in reasons:
                reasons.add(index.id, f"the image index of {image.id}, which is in use")
                pending.append(index)
    return ImageUsage(reasons.frozen(), tuple(warnings))
