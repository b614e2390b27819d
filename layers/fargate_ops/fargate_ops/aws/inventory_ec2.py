"""EC2 network interfaces as the cleanup inventory sees them: ECS task ENIs left available, and every
ENI that carries the orphan mark.

Two paged DescribeNetworkInterfaces (pages of 1,000), filtered by EC2 itself:
- the candidates: ``status`` available, ``interface-type`` interface, ``requester-managed`` true and a
  ``description`` of an ECS attachment ARN of this account and region (filter values take ``*``);
- the marked ones, whatever their status (``tag-key``): a marked ENI that is in use again must be seen
  to be unmarked, or it would be deleted without a grace period the next time it is left available.
The domain checks the same again (domain/orphans_tasks.py): the filters only keep the pages short.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import translate
from fargate_ops.domain import inventory as inv

PAGE = 1000  # DescribeNetworkInterfaces: MaxResults 5-1,000


def _pages(ec2: Any, filters: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    try:
        paginator = ec2.get_paginator("describe_network_interfaces")
        yield from paginator.paginate(Filters=filters, PaginationConfig={"PageSize": PAGE})
    except ClientError as err:
        raise translate(err, "ec2:DescribeNetworkInterfaces") from err


def _interface(raw: dict[str, Any]) -> inv.NetworkInterface:
    return inv.NetworkInterface(
        id=str(raw["NetworkInterfaceId"]),
        status=str(raw.get("Status", "")),
        interface_type=str(raw.get("InterfaceType", "interface")),
        description=str(raw.get("Description", "")),
        requester_id=raw.get("RequesterId"),
        tags={str(t["Key"]): str(t.get("Value", "")) for t in raw.get("TagSet", [])},
        requester_managed=raw.get("RequesterManaged") is True,
    )


def network_interfaces(ec2: Any, account: str, region: str) -> list[inv.NetworkInterface]:
    candidates = [
        {"Name": "status", "Values": ["available"]},
        {"Name": "interface-type", "Values": ["interface"]},
        {"Name": "requester-managed", "Values": ["true"]},
        {"Name": "description", "Values": [f"arn:aws*:ecs:{region}:{account}:attachment/*"]},
    ]
    marked = [{"Name": "tag-key", "Values": [inv.MARK_TAG]}]
    found: dict[str, inv.NetworkInterface] = {}
    for filters in (candidates, marked):
        for page in _pages(ec2, filters):
            for raw in page.get("NetworkInterfaces", []):
                eni = _interface(raw)
                found[eni.id] = eni
    return list(found.values())
