"""EC2 in the local runtime refuses to delete an attached network interface (local/strict_ec2.py).

A probe: moto 5.2.5 alone deletes an ENI whatever its status; AWS answers InvalidNetworkInterface.InUse.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.ec2.models import ec2_backends

from fargate_ops_cli.local import strict_ec2


@pytest.fixture
def ec2(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    with mock_aws():
        for owner, name, replacement in strict_ec2.patches():
            monkeypatch.setattr(owner, name, replacement)
        client = boto3.client("ec2", region_name="us-east-1")
        vpc = client.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = client.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        yield client, subnet


def test_an_eni_in_use_cannot_be_deleted_and_an_available_one_can(ec2: tuple[Any, str]) -> None:
    client, subnet = ec2
    used, free = (
        client.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
        for _ in range(2)
    )
    ec2_backends["123456789012"]["us-east-1"].enis[used].status = "in-use"  # as ECS attaches a task's

    with pytest.raises(ClientError) as refused:
        client.delete_network_interface(NetworkInterfaceId=used)
    client.delete_network_interface(NetworkInterfaceId=free)

    assert refused.value.response["Error"]["Code"] == strict_ec2.IN_USE
    remaining = [e["NetworkInterfaceId"] for e in client.describe_network_interfaces()["NetworkInterfaces"]]
    assert remaining == [used]
