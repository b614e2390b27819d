"""What stopped tasks leave behind: network interfaces ECS did not delete, log groups nothing writes to.

Both finders only judge (cleanup_plan.py decides what may be changed), and both consider a narrow set
of candidates, leaving every other resource without a finding:
- an ENI only if ECS created it for an awsvpc task: type ``interface``, requester-managed (an AWS
  service created it; a person's or a tool's ENI is not, and no one can make it so), and described by
  an ECS attachment ARN of this account and region. Trunk ENIs, Lambda's, load balancers', VPC
  endpoints', NAT gateways' and hand-made ones never are;
- a log group only if its name starts with a configured prefix (none by default).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fargate_ops.domain.cleanup_policy import LOG_GROUP, NETWORK_INTERFACE, CleanupPolicy, Placement
from fargate_ops.domain.inventory import (
    MARK_TAG,
    Inventory,
    NetworkInterface,
    Revision,
    iso_day,
    managed_by,
    parse_mark,
)
from fargate_ops.domain.orphans import Finding, Findings, may_change

# What ECS writes in an awsvpc task ENI's description: its attachment's ARN (DescribeTasks' attachments).
_ECS_ATTACHMENT = re.compile(
    r"^arn:aws[a-z-]*:ecs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):attachment/[0-9a-f-]+$"
)
# CloudWatch Logs updates a stream's lastEventTimestamp lazily: usually within an hour of ingestion.
LAST_EVENT_LAG_SECONDS = 3600


def is_ecs_task_interface(eni: NetworkInterface, account: str, region: str) -> bool:
    found = _ECS_ATTACHMENT.match(eni.description)
    return (
        eni.interface_type == "interface"
        and eni.requester_managed
        and found is not None
        and (found["account"], found["region"]) == (account, region)
    )


def network_interface_findings(inventory: Inventory) -> Findings:
    """An orphan is an ECS task ENI left ``available`` that no live task lists. ECS detaches and deletes
    a task's ENI when the task stops; now and then it leaves one detached (``available``), which keeps
    its IP address and counts against the account's ENI quota. Deleting an ENI in use fails in AWS
    (InvalidNetworkInterface.InUse), and one ECS is attaching right now is ``available`` for moments:
    the grace period between mark and delete covers that."""
    attached = {eni for task in inventory.tasks if task.live for eni in task.network_interfaces}
    findings = []
    for eni in inventory.network_interfaces:
        if not is_ecs_task_interface(eni, inventory.account, inventory.region):
            continue
        if eni.id in attached:
            orphan, why = False, "a live task lists it"
        elif eni.status != "available":
            orphan, why = False, f"{eni.status}"
        else:
            orphan, why = True, f"an ECS task ENI ({eni.description}) left available, no live task lists it"
        findings.append(
            Finding(
                NETWORK_INTERFACE,
                eni.id,
                orphan,
                (why,),
                Placement(tags=eni.tags),
                managed_by(None, eni.tags),
                parse_mark(eni.tags.get(MARK_TAG)),
            )
        )
    return Findings(findings)


def log_group_findings(
    inventory: Inventory, staying: Iterable[Revision], policy: CleanupPolicy, now: float
) -> Findings:
    """A log group of the prefixes is an orphan when no revision that stays (not deleted by this plan)
    names it as its awslogs-group, so no service, task, rule or schedule can write to it again, and it
    has had no event for ``log_group_idle_seconds`` (or none at all since it was created that long ago).

    As with images, the revisions whose log groups are unknown (not described) are left out first; if
    then a log group the cleanup may change would be an orphan, no log group is judged and
    ``needs_revision_images`` names the revisions to describe (one DescribeTaskDefinition gives both).
    """
    prefixes = policy.log_group_prefixes
    if not prefixes:
        return Findings([], ("log-group is on but no log group prefix is set: no log group is judged",))
    staying = list(staying)
    named: dict[str, list[str]] = {}
    for revision in staying:
        for name in revision.log_groups or ():
            named.setdefault(name, []).append(
                f"the awslogs-group of task definition {revision.family}:{revision.revision}"
            )
    idle = policy.log_group_idle_seconds
    findings = []
    for group in inventory.log_groups:
        if not group.name.startswith(prefixes):
            continue
        kept = list(named.get(group.name, ()))
        if group.last_event_at is not None:
            last = f"its last event {iso_day(group.last_event_at)}"
            recent = now - group.last_event_at < idle
        else:
            last = f"no event since it was created {iso_day(group.created_at)}"
            recent = now - group.created_at < idle
        if recent:
            kept.append(f"{last}, within {idle / 86_400:g} days")
        why = tuple(kept) or (f"no task definition that stays names it as its awslogs-group, and {last}",)
        findings.append(
            Finding(
                LOG_GROUP,
                group.name,
                not kept,
                why,
                Placement(tags=group.tags),
                managed_by(group.managed_by, group.tags),
                parse_mark(group.tags.get(MARK_TAG)),
            )
        )
    unknown = tuple(r.arn for r in staying if r.log_groups is None)
    if unknown and any(f.orphan and may_change(f, policy) for f in findings):
        warning = f"log groups of {len(unknown)} revisions are unknown: no log group is judged"
        return Findings([], (warning,), unknown)
    return Findings(findings)
