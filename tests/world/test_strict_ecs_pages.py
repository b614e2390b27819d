"""ListTaskDefinitions in the local runtime pages as AWS does (local/strict_ecs_pages.py).

A probe: moto 5.2.5 alone answers every revision in one page, whatever maxResults says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from fargate_ops_cli.local import strict_ecs_pages


@pytest.fixture
def ecs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with mock_aws():
        for owner, name, replacement in strict_ecs_pages.patches():
            monkeypatch.setattr(owner, name, replacement)
        client = boto3.client("ecs", region_name="us-east-1")
        for n in range(1, 251):
            client.register_task_definition(
                family="web", containerDefinitions=[{"name": "app", "image": f"web:{n}", "memory": 8}]
            )
        yield client


def test_list_task_definitions_answers_pages_of_at_most_100_with_a_token_while_more_remain(ecs: Any) -> None:
    first = ecs.list_task_definitions()
    second = ecs.list_task_definitions(nextToken=first["nextToken"])
    third = ecs.list_task_definitions(nextToken=second["nextToken"])

    assert [len(p["taskDefinitionArns"]) for p in (first, second, third)] == [100, 100, 50]
    assert "nextToken" not in third
    arns = first["taskDefinitionArns"] + second["taskDefinitionArns"] + third["taskDefinitionArns"]
    assert [a.rsplit(":", 1)[1] for a in arns] == [str(n) for n in range(1, 251)]


def test_a_smaller_max_results_makes_smaller_pages_and_the_paginator_reads_them_all(ecs: Any) -> None:
    pages = list(ecs.get_paginator("list_task_definitions").paginate(PaginationConfig={"PageSize": 30}))

    assert len(pages) == 9 and sum(len(p["taskDefinitionArns"]) for p in pages) == 250


def test_max_results_over_100_and_a_token_of_another_listing_are_refused(ecs: Any) -> None:
    token = ecs.list_task_definitions()["nextToken"]
    with pytest.raises(ClientError, match="maxResults"):
        ecs.list_task_definitions(maxResults=101)
    with pytest.raises(ClientError, match="Invalid token"):
        ecs.list_task_definitions(status="INACTIVE", nextToken=token)
