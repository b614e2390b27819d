"""The executor's writes for what stopped tasks leave behind: ENIs (EC2) and log groups (CloudWatch Logs).

One call per resource: EC2's CreateTags/DeleteTags answer for all their resources as one (one ENI gone
meanwhile would fail the others), and CloudWatch Logs tags one log group per call. Marks are the tag
``fargate-ops:orphan-since`` on the resource itself; the template lets the cleanup write that key only,
and delete only what carries it.

What is gone already counts as done (ECS deletes a task ENI by itself, someone may delete a log group):
an idempotent delete. What changed since the plan (an ENI attached again: ``InvalidNetworkInterface.InUse``)
is a failure of that resource, reported, and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import error_code, translate
from fargate_ops.domain.cleanup_plan import DELETE, MARK
from fargate_ops.domain.cleanup_policy import LOG_GROUP, NETWORK_INTERFACE
from fargate_ops.domain.inventory import MARK_TAG, Inventory

ENI_GONE = "InvalidNetworkInterfaceID.NotFound"
ENI_IN_USE = "InvalidNetworkInterface.InUse"
LOG_GROUP_GONE = "ResourceNotFoundException"


class TaskLeftovers:
    """Marks, unmarks and deletes ENIs and log groups for ``executor.Executor`` (which paces each call
    through ``pace`` and counts it in ``count``)."""

    def __init__(
        self,
        clients: Callable[[str], Any],
        inventory: Inventory,
        pace: Callable[[], None],
        count: Callable[[str, str], None],
        failed: Callable[[str, str, str], None],
    ) -> None:
        self.clients, self.inventory = clients, inventory
        self.pace, self.count, self.failed = pace, count, failed
        self.arns = {g.name: g.arn for g in inventory.log_groups if g.arn}

    def _log_group_arn(self, name: str) -> str:
        inv = self.inventory
        return self.arns.get(name) or f"arn:aws:logs:{inv.region}:{inv.account}:log-group:{name}"

    def _call(self, kind: str, resource: str, gone: str, iam: str, call: Callable[[], Any]) -> bool:
        """True when the call did it; gone already or attached again: False (nothing left to do)."""
        self.pace()
        try:
            call()
        except ClientError as err:
            code = error_code(err)
            if code == gone:
                return False
            if code == ENI_IN_USE:
                self.failed(kind, resource, "attached again since it was planned: left")
                return False
            raise translate(err, iam) from err
        return True

    def mark(self, kind: str, phase: str, resources: list[str], value: str) -> None:
        for resource in resources:
            if self._call(kind, resource, *self._tagging(kind, phase, resource, value)):
                self.count(kind, phase)

    def _tagging(
        self, kind: str, phase: str, resource: str, value: str
    ) -> tuple[str, str, Callable[[], Any]]:
        if kind == NETWORK_INTERFACE:
            ec2 = self.clients("ec2")
            if phase == MARK:
                tags = [{"Key": MARK_TAG, "Value": value}]
                return ENI_GONE, "ec2:CreateTags", lambda: ec2.create_tags(Resources=[resource], Tags=tags)
            keys = [{"Key": MARK_TAG}]
            return ENI_GONE, "ec2:DeleteTags", lambda: ec2.delete_tags(Resources=[resource], Tags=keys)
        logs, arn = self.clients("logs"), self._log_group_arn(resource)
        if phase == MARK:
            return (
                LOG_GROUP_GONE,
                "logs:TagResource",
                lambda: logs.tag_resource(resourceArn=arn, tags={MARK_TAG: value}),
            )
        return (
            LOG_GROUP_GONE,
            "logs:UntagResource",
            lambda: logs.untag_resource(resourceArn=arn, tagKeys=[MARK_TAG]),
        )

    def delete(self, kind: str, resources: list[str]) -> None:
        for resource in resources:
            if self._call(kind, resource, *self._deletion(kind, resource)):
                self.count(kind, DELETE)

    def _deletion(self, kind: str, resource: str) -> tuple[str, str, Callable[[], Any]]:
        if kind == NETWORK_INTERFACE:
            ec2 = self.clients("ec2")
            return (
                ENI_GONE,
                "ec2:DeleteNetworkInterface",
                lambda: ec2.delete_network_interface(NetworkInterfaceId=resource),
            )
        logs = self.clients("logs")
        return LOG_GROUP_GONE, "logs:DeleteLogGroup", lambda: logs.delete_log_group(logGroupName=resource)


KINDS = (NETWORK_INTERFACE, LOG_GROUP)
