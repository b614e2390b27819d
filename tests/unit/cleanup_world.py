"""Builders of account inventories for the cleanup tests, and a model of what applying a plan does.

``apply`` is as strict as AWS where AWS refuses: DeleteTaskDefinitions needs an INACTIVE revision,
DeleteService a desired count of 0, DeleteTargetGroup no listener forwarding to it, DeleteNetworkInterface
an ``available`` interface, and ECR refuses to delete a platform image an index still lists
(ImageReferencedByManifestList). A plan that an executor could not carry out fails here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from fargate_ops.domain.cleanup_plan import DELETE, DEREGISTER, MARK, UNMARK, CleanupPlan, PlannedAction
from fargate_ops.domain.cleanup_policy import (
    DEPLOY_RECORD,
    IMAGE,
    LEASE,
    LOG_GROUP,
    NETWORK_INTERFACE,
    SERVICE,
    TAGGED_MARK_KINDS,
    TARGET_GROUP,
    TASK_DEFINITION,
)
from fargate_ops.domain.inventory import (
    ACTIVE,
    DELETE_IN_PROGRESS,
    INACTIVE,
    MARK_TAG,
    Deployment,
    Image,
    Inventory,
    Revision,
    Service,
    TargetGroup,
    format_mark,
)

ACCOUNT = "123456789012"
REGION = "us-east-1"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
DAY = 86_400
NOW = 1_767_603_600.0  # 2026-01-05 09:00 UTC


class ApplyRefusedError(AssertionError):
    """The plan asks for something AWS would refuse."""


# --- builders ------------------------------------------------------------------------------------------


def td_arn(family: str, revision: int | None = None) -> str:
    tail = family if revision is None else f"{family}:{revision}"
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{tail}"


def revision(family: str, number: int, status: str = ACTIVE, **fields: Any) -> Revision:
    return Revision(td_arn(family, number), family, number, status, **fields)


def revisions(family: str, *numbers: int, **fields: Any) -> tuple[Revision, ...]:
    return tuple(revision(family, n, **fields) for n in numbers)


def service_arn(cluster: str, name: str) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{cluster}/{name}"


def service(cluster: str, name: str, *task_definitions: str, desired: int = 1, **fields: Any) -> Service:
    fields.setdefault("running_count", desired)
    deployments = tuple(
        Deployment(td, "PRIMARY" if i == 0 else "ACTIVE") for i, td in enumerate(task_definitions)
    )
    return Service(
        cluster, name, service_arn(cluster, name), desired_count=desired, deployments=deployments, **fields
    )


def tg_arn(name: str) -> str:
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/0123456789abcdef"


def target_group(name: str, **fields: Any) -> TargetGroup:
    return TargetGroup(tg_arn(name), name, **fields)


def image_uri(repository: str, tag: str | None = None, digest: str | None = None) -> str:
    return f"{REGISTRY}/{repository}" + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def digest(n: int) -> str:
    return "sha256:" + f"{n:x}".rjust(64, "0")


def image(repository: str, n: int, *tags: str, **fields: Any) -> Image:
    return Image(repository, digest(n), tags, **fields)


def inventory(**fields: Any) -> Inventory:
    return Inventory(ACCOUNT, REGION, **fields)


def marked(at: float, tags: dict[str, str] | None = None) -> dict[str, str]:
    return {**(tags or {}), MARK_TAG: format_mark(at)}


def actions_on(plan: CleanupPlan, resource: str) -> list[str]:
    return [a.action for a in plan.actions if a.resource == resource]


# --- the effects of a plan -----------------------------------------------------------------------------


def _tagged(tags: Any, action: str, value: str) -> dict[str, str]:
    changed = dict(tags)
    if action == MARK:
        changed[MARK_TAG] = value
    else:
        changed.pop(MARK_TAG, None)
    return changed


def _by_key(items: Iterable[Any], key: Any) -> dict[str, Any]:
    return {key(item): item for item in items}


def apply(state: Inventory, plan: CleanupPlan) -> Inventory:
    """The account after an executor carried out ``plan``, action by action, in order."""
    value = plan.mark_value
    revs = _by_key(state.revisions, lambda r: r.arn)
    services = _by_key(state.services, lambda s: s.arn)
    groups = _by_key(state.target_groups, lambda g: g.arn)
    enis = _by_key(state.network_interfaces, lambda e: e.id)
    logs = _by_key(state.log_groups, lambda g: g.name)
    leases = _by_key(state.leases, lambda x: x.key)
    records = _by_key(state.deploy_records, lambda r: r.deploy_id)
    images = _by_key(state.images, lambda i: i.id)
    tables: dict[str, dict[str, Any]] = {
        TASK_DEFINITION: revs,
        SERVICE: services,
        TARGET_GROUP: groups,
        NETWORK_INTERFACE: enis,
        LOG_GROUP: logs,
        LEASE: leases,
        DEPLOY_RECORD: records,
        IMAGE: images,
    }
    marks = dict(state.marks)
    for action in plan.actions:
        table = tables[action.kind]
        if action.resource not in table:
            raise ApplyRefusedError(f"{action}: no such resource")
        current = table[action.resource]
        if action.action in (MARK, UNMARK):
            if action.kind in TAGGED_MARK_KINDS:
                table[action.resource] = replace(current, tags=_tagged(current.tags, action.action, value))
            elif action.action == MARK:
                marks[(action.kind, action.resource)] = plan.now
            else:
                marks.pop((action.kind, action.resource), None)
        elif action.action == DEREGISTER:
            revs[action.resource] = replace(current, status=INACTIVE)
        elif action.action == DELETE:
            _delete(action, current, tables, state)
            marks.pop((action.kind, action.resource), None)
        else:
            raise ApplyRefusedError(f"unknown action {action}")
    return replace(
        state,
        revisions=tuple(revs.values()),
        services=tuple(services.values()),
        target_groups=tuple(groups.values()),
        network_interfaces=tuple(enis.values()),
        log_groups=tuple(logs.values()),
        leases=tuple(leases.values()),
        deploy_records=tuple(records.values()),
        images=tuple(images.values()),
        marks=marks,
    )


def _delete(action: PlannedAction, current: Any, tables: dict[str, dict[str, Any]], state: Inventory) -> None:
    kind, resource = action.kind, action.resource
    if kind == TASK_DEFINITION:
        if current.status != INACTIVE:
            raise ApplyRefusedError(f"DeleteTaskDefinitions: {resource} is {current.status}, not INACTIVE")
        tables[kind][resource] = replace(current, status=DELETE_IN_PROGRESS)
        return
    if kind == SERVICE:
        if current.desired_count != 0:
            raise ApplyRefusedError(f"DeleteService: {resource} has desired count {current.desired_count}")
        tables[kind][resource] = replace(current, status="INACTIVE")
        return
    if kind == TARGET_GROUP:
        forwarding = [x.arn for x in state.listeners if resource in x.target_groups]
        forwarding += [x.arn for x in state.listener_rules if resource in x.target_groups]
        if forwarding:
            raise ApplyRefusedError(f"DeleteTargetGroup: {resource} is in use by {forwarding}")
    if kind == NETWORK_INTERFACE and current.status != "available":
        raise ApplyRefusedError(f"DeleteNetworkInterface: {resource} is {current.status}")
    if kind == IMAGE:
        listing = [
            i.id
            for i in tables[IMAGE].values()
            if current.digest in i.children and i.repository == current.repository
        ]
        if listing:
            raise ApplyRefusedError(
                f"BatchDeleteImage: ImageReferencedByManifestList ({resource} in {listing})"
            )
    del tables[kind][resource]
