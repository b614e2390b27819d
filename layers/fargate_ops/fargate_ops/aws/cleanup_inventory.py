"""Collects the cleanup ``Inventory`` over the whole account and region, whatever the deletion scope.

The scope only says what may be changed; "in use" is decided over everything (docs/cleanup.md), so
every cluster, bus, schedule group, load balancer and repository is read. Network interfaces and log
groups are collected only when their kinds are cleaned (log groups only of the configured prefixes).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Any

from fargate_ops import clock
from fargate_ops.aws import inventory_ec2, inventory_ecr, inventory_ecs, inventory_logs, inventory_reach
from fargate_ops.aws.inventory_table import CleanupTable
from fargate_ops.domain.cleanup_policy import PROTECT_TAG
from fargate_ops.domain.inventory import Inventory, Revision

TAGGED_TYPES = ("ecs:task-definition",)


@dataclass
class InventoryCollector:
    """Reads the account through one client per service (``client_factory``, the package's)."""

    client_factory: Callable[[str], Any]
    table: CleanupTable
    account: str
    region: str
    with_images: bool = False  # ECR images are collected only when their kind is cleaned
    with_network_interfaces: bool = False
    log_group_prefixes: tuple[str, ...] = ()  # none: no log group is read
    log_group_idle_seconds: float = 0.0

    def collect(
        self, carried: list[Revision] | None = None, protect_tag: str = PROTECT_TAG, images: bool = True
    ) -> Inventory:
        """The whole inventory; with ``carried`` (the revisions an earlier invocation of the run read,
        cleanup/continuation.py) the revisions are not listed again, only the protected ones are;
        ``images=False`` leaves ECR out for now (``with_ecr`` reads it)."""
        client = self.client_factory
        ecs = client("ecs")
        tagging = client("resourcegroupstaggingapi")
        if carried is None:
            revisions = inventory_ecs.revisions(ecs, inventory_ecs.tagged(tagging, TAGGED_TYPES))
        else:
            protected = inventory_ecs.tagged(tagging, TAGGED_TYPES, with_key=protect_tag)
            revisions = [
                replace(r, tags={**r.tags, **protected[r.arn]}) if r.arn in protected else r for r in carried
            ]
        services, tasks = [], []
        for cluster in inventory_ecs.clusters(ecs):
            services += inventory_ecs.services(ecs, cluster)
            tasks += inventory_ecs.live_tasks(ecs, cluster)
        groups, listeners, rules = inventory_reach.load_balancing(client("elbv2"))
        apps, leases, records, marks = self.table.scan()
        enis = (
            inventory_ec2.network_interfaces(client("ec2"), self.account, self.region)
            if self.with_network_interfaces
            else []
        )
        log_groups = inventory_logs.log_groups(
            client("logs") if self.log_group_prefixes else None,
            self.log_group_prefixes,
            clock.now_epoch(),
            self.log_group_idle_seconds,
        )
        inventory = Inventory(
            account=self.account,
            region=self.region,
            revisions=tuple(revisions),
            services=tuple(services),
            tasks=tuple(tasks),
            rule_targets=tuple(inventory_reach.rule_targets(client("events"))),
            schedule_targets=tuple(inventory_reach.schedule_targets(client("scheduler"))),
            target_groups=tuple(groups),
            listeners=tuple(listeners),
            listener_rules=tuple(rules),
            applications=tuple(apps),
            leases=tuple(leases),
            deploy_records=tuple(records),
            network_interfaces=tuple(enis),
            log_groups=tuple(log_groups),
            marks=marks,
        )
        return self.with_ecr(inventory) if images else inventory

    def with_ecr(self, inventory: Inventory) -> Inventory:
        """The inventory with ECR's repositories and images (when their kind is cleaned)."""
        if not self.with_images:
            return inventory
        ecr = self.client_factory("ecr")
        repositories = inventory_ecr.repositories(ecr)
        images = [image for r in repositories for image in inventory_ecr.images(ecr, r.name)]
        return replace(inventory, repositories=tuple(repositories), images=tuple(images))

    def describe_images(self, inventory: Inventory, arns: Collection[str]) -> Inventory:
        """The inventory with the images and log groups of these revisions read (DescribeTaskDefinition,
        one each)."""
        ecs = self.client_factory("ecs")
        wanted = set(arns)

        def described(revision: Revision) -> Revision:
            if revision.arn not in wanted or None not in (revision.images, revision.log_groups):
                return revision
            images, log_groups = inventory_ecs.revision_details(ecs, revision.arn)
            return replace(revision, images=images, log_groups=log_groups)

        return replace(inventory, revisions=tuple(described(r) for r in inventory.revisions))
