"""CloudWatch Logs as the cleanup inventory sees it: the log groups of the configured prefixes only.

Per prefix, DescribeLogGroups with ``logGroupNamePrefix`` (pages of 50); per log group,
ListTagsForResource (the orphan mark, the protected tag) and, for a group older than the idle age,
one DescribeLogStreams ordered by LastEventTime, descending, limit 1. DescribeLogGroups has no
last-event field; a stream's ``lastEventTimestamp`` is the only one, and CloudWatch Logs updates it
lazily (usually within an hour of ingestion, sometimes later), so a last event can read up to an hour
old: far less than an idle age of days. A group created within the idle age is kept whatever its
events, so its streams are not read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import translate
from fargate_ops.domain import inventory as inv

PAGE = 50  # DescribeLogGroups: limit 1-50


def _group_arn(raw: dict[str, Any]) -> str:
    """The log group's ARN as tagging takes it: ``logGroupArn`` (``arn`` ends in ``:*``)."""
    arn = str(raw.get("logGroupArn") or raw.get("arn", ""))
    return arn[:-2] if arn.endswith(":*") else arn


def _last_event(logs: Any, name: str) -> float | None:
    try:
        streams = logs.describe_log_streams(
            logGroupName=name, orderBy="LastEventTime", descending=True, limit=1
        ).get("logStreams", [])
    except ClientError as err:
        raise translate(err, "logs:DescribeLogStreams") from err
    stamps = [s["lastEventTimestamp"] for s in streams if s.get("lastEventTimestamp") is not None]
    return stamps[0] / 1000 if stamps else None


def log_groups(logs: Any, prefixes: Iterable[str], now: float, idle_seconds: float) -> list[inv.LogGroup]:
    found: dict[str, inv.LogGroup] = {}
    for prefix in prefixes:
        try:
            pages = logs.get_paginator("describe_log_groups").paginate(
                logGroupNamePrefix=prefix, PaginationConfig={"PageSize": PAGE}
            )
            raws = [raw for page in pages for raw in page.get("logGroups", [])]
        except ClientError as err:
            raise translate(err, "logs:DescribeLogGroups") from err
        for raw in raws:
            name = str(raw["logGroupName"])
            if name in found:  # prefixes may overlap
                continue
            created = float(raw.get("creationTime", 0)) / 1000
            try:
                raw_tags = logs.list_tags_for_resource(resourceArn=_group_arn(raw)).get("tags", {})
            except ClientError as err:
                raise translate(err, "logs:ListTagsForResource") from err
            last = _last_event(logs, name) if now - created >= idle_seconds else None
            tags = {str(k): str(v) for k, v in raw_tags.items()}
            found[name] = inv.LogGroup(name, created, last, tags, arn=_group_arn(raw))
    return list(found.values())
