"""This tool's own items as the cleanup inventory sees them: applications, leases, deploy records, and
the marks of what takes no tag (ECR images, the table's items), read in one paged Scan.

A Scan reads every item (timeline entries too) but returns only these: the table has no index by kind,
and one Scan a day is cheaper than one. Writes (marks, deleting stale leases and records) are the
executor's, each conditioned so a deploy that starts meanwhile wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops import clock
from fargate_ops.aws import keys
from fargate_ops.aws._errors import translate
from fargate_ops.aws.dynamo import deserialize, serialize, values
from fargate_ops.aws.keys import key
from fargate_ops.aws.table import CONDITION_FAILED, Table
from fargate_ops.domain import inventory as inv

_FILTER = (
    "(begins_with(pk, :app) AND (sk = :meta OR sk = :lease))"
    " OR (begins_with(pk, :deploy) AND sk = :meta) OR pk = :marks OR pk = :continuations"
)


def _iso_or_number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return clock.parse_iso(str(value))


def _slot_definition(slot: Any) -> str | None:
    return slot.get("task_definition") if isinstance(slot, Mapping) else None


class CleanupTable(Table):
    """Reads the whole inventory of the table; writes marks; deletes stale leases and records.

    ``continuations``: the digests of the continue tokens this tool issued and that have not expired,
    as the last ``scan`` found them (cleanup/continuation.py: a token's carried revisions are trusted
    only if it is one of them)."""

    continuations: frozenset[str] = frozenset()

    def scan(
        self,
    ) -> tuple[list[inv.Application], list[inv.Lease], list[inv.DeployRecord], dict[tuple[str, str], float]]:
        apps: list[inv.Application] = []
        leases: list[inv.Lease] = []
        records: list[inv.DeployRecord] = []
        marks: dict[tuple[str, str], float] = {}
        try:
            pages = self._ddb.get_paginator("scan").paginate(
                TableName=self._table,
                FilterExpression=_FILTER,
                ExpressionAttributeValues=values(
                    app="APP#",
                    deploy="DEPLOY#",
                    meta=keys.META,
                    lease=keys.LEASE,
                    marks=keys.CLEANUP_MARKS,
                    continuations=keys.CLEANUP_CONTINUATIONS,
                ),
            )
            continuations: set[str] = set()
            now = clock.now_epoch()
            for page in pages:
                for raw in page.get("Items", []):
                    item = deserialize(raw)
                    if item["pk"] == keys.CLEANUP_CONTINUATIONS:
                        if float(item.get("expires_at") or 0) > now:  # TTL deletes late: expiry is checked
                            continuations.add(str(item["sk"]))
                        continue
                    self._take(item, apps, leases, records, marks)
        except ClientError as err:
            raise translate(err, "dynamodb:Scan") from err
        self.continuations = frozenset(continuations)
        return apps, leases, records, marks

    def put_continuation(self, digest: str, expires_at: float) -> None:
        """Record a continue token as issued (before it is returned: the next invocation checks it)."""
        item = {"pk": keys.CLEANUP_CONTINUATIONS, "sk": digest, "expires_at": int(expires_at)}
        try:
            self._ddb.put_item(TableName=self._table, Item=serialize(item))
        except ClientError as err:
            raise translate(err, "dynamodb:PutItem") from err

    @staticmethod
    def _take(
        item: dict[str, Any],
        apps: list[inv.Application],
        leases: list[inv.Lease],
        records: list[inv.DeployRecord],
        marks: dict[tuple[str, str], float],
    ) -> None:
        pk, sk = str(item["pk"]), str(item["sk"])
        if pk == keys.CLEANUP_MARKS:
            kind, _, resource = sk.partition("#")
            marks[(kind, resource)] = float(item.get("since", 0))
        elif pk.startswith("APP#") and sk == keys.META:
            groups = item.get("target_groups") or {}
            apps.append(
                inv.Application(
                    cluster=str(item["cluster"]),
                    name=str(item["application"]),
                    slots=tuple(item.get("slots", [])),
                    target_groups=tuple(groups.values()) if isinstance(groups, Mapping) else (),
                    live_slot=item.get("live_slot"),
                    last_deploy_id=item.get("last_deploy_id"),
                )
            )
        elif pk.startswith("APP#") and sk == keys.LEASE:
            _, cluster, application = pk.split("#", 2)
            leases.append(
                inv.Lease(
                    cluster,
                    application,
                    str(item.get("deploy_id", "")),
                    float(item.get("lease_expires_at") or 0),
                )
            )
        elif pk.startswith("DEPLOY#"):
            started = _iso_or_number(item.get("started_at")) or 0.0
            window = (item.get("input") or {}).get("rollback_window_seconds", 0)
            records.append(
                inv.DeployRecord(
                    deploy_id=str(item.get("deploy_id", pk.removeprefix("DEPLOY#"))),
                    cluster=str(item.get("cluster", "")),
                    application=str(item.get("application", "")),
                    status=str(item.get("status", "RUNNING")),
                    started_at=started,
                    finished_at=_iso_or_number(item.get("finished_at")),
                    live_task_definition=_slot_definition(item.get("live")),
                    green_task_definition=item.get("green_task_definition")
                    or _slot_definition(item.get("green")),
                    rollback_window_seconds=int(window or 0),
                    expires_at=_iso_or_number(item.get("expires_at")),
                )
            )

    # marks of what takes no tag ---------------------------------------------------------------

    def put_mark(self, kind: str, resource: str, since: float) -> None:
        item = {"pk": keys.CLEANUP_MARKS, "sk": keys.cleanup_mark(kind, resource), "since": since}
        try:
            self._ddb.put_item(TableName=self._table, Item=serialize(item))
        except ClientError as err:
            raise translate(err, "dynamodb:PutItem") from err

    def delete_mark(self, kind: str, resource: str) -> None:
        try:
            self._ddb.delete_item(
                TableName=self._table, Key=key(keys.CLEANUP_MARKS, keys.cleanup_mark(kind, resource))
            )
        except ClientError as err:
            raise translate(err, "dynamodb:DeleteItem") from err

    # the table's own orphans --------------------------------------------------------------------

    def delete_lease(self, lease_key: str, deploy_id: str, now: float) -> bool:
        """Delete a lease only if it is still that deploy's and still expired: a new deploy wins."""
        cluster, _, application = lease_key.partition("/")
        return self._delete_if(
            keys.application(cluster, application),
            keys.LEASE,
            "deploy_id = :me AND lease_expires_at <= :now",
            values(me=deploy_id, now=now),
        )

    def delete_record(self, deploy_id: str) -> bool:
        """Delete a deploy record only if it is still final."""
        return self._delete_if(
            keys.deploy(deploy_id),
            keys.META,
            "#s IN (:ok, :rolled, :failed)",
            values(ok="SUCCEEDED", rolled="ROLLED_BACK", failed="FAILED"),
            names={"#s": "status"},
        )

    def _delete_if(
        self, pk: str, sk: str, condition: str, vals: dict[str, Any], names: dict[str, str] | None = None
    ) -> bool:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "Key": key(pk, sk),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": vals,
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        try:
            self._ddb.delete_item(**kwargs)
        except ClientError as err:
            if str(err.response.get("Error", {}).get("Code")) == CONDITION_FAILED:
                return False
            raise translate(err, "dynamodb:DeleteItem") from err
        return True
