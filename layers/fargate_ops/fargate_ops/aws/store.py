"""DynamoDB single table (see docs/architecture.md): applications, leases, deploys, waits, idempotency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fargate_ops.aws import keys
from fargate_ops.aws._errors import error_code, translate
from fargate_ops.aws.dynamo import serialize, values
from fargate_ops.aws.keys import key
from fargate_ops.aws.records import ApplicationRecord, Lease, WaitRecord
from fargate_ops.aws.store_leases import LeaseRecords, lease_from_item
from fargate_ops.aws.table import CONDITION_FAILED
from fargate_ops.errors import LeaseHeldError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

# A lease can be taken when nobody holds it, when it ran out, or again by the deploy that holds it.
LEASE_FREE = "attribute_not_exists(pk) OR lease_expires_at < :now OR deploy_id = :me"
# A lease held until someone releases it (year 5138): LEASE_FREE's expiry test never passes.
LEASE_HELD_UNTIL_RELEASED = 99_999_999_999

__all__ = ["ApplicationRecord", "Lease", "Store", "WaitRecord"]


class Store(LeaseRecords):
    """Every item of the table; beginning a deploy and renewing its lease live in ``LeaseRecords``, deploy
    records and alarm watches in ``DeployRecords``."""

    # applications

    def get_application(self, cluster: str, application: str) -> ApplicationRecord | None:
        item = self._get(keys.application(cluster, application), keys.META)
        return ApplicationRecord.from_item(item) if item else None

    def set_live_slot(self, cluster: str, application: str, live_slot: str, *, at: str) -> None:
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key=key(keys.application(cluster, application), keys.META),
                UpdateExpression="SET live_slot = :live, updated_at = :at",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=values(live=live_slot, at=at),
            )
        except ClientError as err:
            raise translate(err, "dynamodb:UpdateItem") from err

    # leases

    def acquire_lease(
        self,
        cluster: str,
        application: str,
        deploy_id: str,
        *,
        now: float,
        lease_expires_at: float,
        execution: str | None = None,
    ) -> None:
        """Take (or renew) the lease alone; LeaseHeldError if another deploy holds an unexpired one."""
        try:
            self._ddb.put_item(
                TableName=self._table,
                Item=serialize(
                    {
                        "pk": keys.application(cluster, application),
                        "sk": keys.LEASE,
                        "deploy_id": deploy_id,
                        "execution": execution,
                        "lease_expires_at": lease_expires_at,
                    }
                ),
                ConditionExpression=LEASE_FREE,
                ExpressionAttributeValues=values(now=now, me=deploy_id),
            )
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                raise self._lease_held(cluster, application) from err
            raise translate(err, "dynamodb:PutItem") from err

    def _lease_held(self, cluster: str, application: str) -> LeaseHeldError:
        holder = self.lease(cluster, application)
        name = holder.deploy_id if holder else "another deploy"
        return LeaseHeldError(f"{application} in {cluster} is being deployed by {name}", holder=name)

    def lease(self, cluster: str, application: str) -> Lease | None:
        item = self._get(keys.application(cluster, application), keys.LEASE)
        return lease_from_item(item) if item else None

    def hold_lease(self, cluster: str, application: str, deploy_id: str) -> bool:
        """Keep our lease until it is released by hand (a rollback that failed: traffic may be split).

        False if it is not ours: someone else's deploy runs, and ours must not take it back.
        """
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key=key(keys.application(cluster, application), keys.LEASE),
                UpdateExpression="SET lease_expires_at = :never",
                ConditionExpression="deploy_id = :me",
                ExpressionAttributeValues=values(me=deploy_id, never=LEASE_HELD_UNTIL_RELEASED),
            )
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                return False
            raise translate(err, "dynamodb:UpdateItem") from err
        return True

    def release_lease(
        self, cluster: str, application: str, deploy_id: str, execution: str | None = None
    ) -> bool:
        """Release our lease; False (not an error) if it is not ours any more.

        A step names its execution too: a lease this deploy id holds under another execution (a
        replayed or stray invocation) is not the step's to give back. Recovery, run by an operator for
        a deploy id, may leave it out."""
        condition, named = "deploy_id = :me", values(me=deploy_id)
        if execution is not None:
            condition, named = (
                f"{condition} AND execution = :execution",
                values(me=deploy_id, execution=execution),
            )
        try:
            self._ddb.delete_item(
                TableName=self._table,
                Key=key(keys.application(cluster, application), keys.LEASE),
                ConditionExpression=condition,
                ExpressionAttributeValues=named,
            )
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                return False
            raise translate(err, "dynamodb:DeleteItem") from err
        return True

    # waits

    def put_wait(self, wait: WaitRecord) -> None:
        try:
            self._ddb.put_item(TableName=self._table, Item=serialize(wait.item()))
        except ClientError as err:
            raise translate(err, "dynamodb:PutItem") from err

    def park_wait(self, wait: WaitRecord) -> None:
        """Point green's WAIT item at a new token, keeping the evidence (stops, warnings) of this deploy.

        A deploy waits several times on the same green (ready, approval, bakes); abnormal stops add up
        over all of them. An item left by another deploy is replaced whole.
        """
        item = wait.item()
        fields = {
            k: v
            for k, v in item.items()
            if k not in ("pk", "sk", "abnormal_stops", "stops", "service_events")
        }
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        updates = ", ".join(f"#f{i} = :v{i}" for i in range(len(fields)))
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key=key(item["pk"], item["sk"]),
                UpdateExpression=f"SET {updates}",
                ConditionExpression="attribute_not_exists(pk) OR deploy_id = :me",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    **values(me=wait.deploy_id),
                    **values(**{f"v{i}": v for i, v in enumerate(fields.values())}),
                },
            )
        except ClientError as err:
            if error_code(err) != CONDITION_FAILED:
                raise translate(err, "dynamodb:UpdateItem") from err
            self.put_wait(wait)

    def get_wait(self, cluster: str, service: str, *, consistent: bool = False) -> WaitRecord | None:
        item = self._get(keys.service(cluster, service), keys.WAIT, consistent=consistent)
        return WaitRecord.from_item(item) if item else None

    def delete_wait(
        self, cluster: str, service: str, *, task_token: str | None = None, deploy_id: str | None = None
    ) -> bool:
        """Delete the WAIT item if it still belongs to ``task_token`` / ``deploy_id``; False otherwise."""
        conditions = ["attribute_exists(pk)"]
        named: dict[str, Any] = {}
        if task_token is not None:
            conditions.append("task_token = :token")
            named["token"] = task_token
        if deploy_id is not None:
            conditions.append("deploy_id = :deploy")
            named["deploy"] = deploy_id
        kwargs: dict[str, Any] = {}
        if named:
            kwargs["ExpressionAttributeValues"] = values(**named)
        try:
            self._ddb.delete_item(
                TableName=self._table,
                Key=key(keys.service(cluster, service), keys.WAIT),
                ConditionExpression=" AND ".join(conditions),
                **kwargs,
            )
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                return False
            raise translate(err, "dynamodb:DeleteItem") from err
        return True

    def _seen_put(self, event_key: str, expires_at: int) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self._table,
                "Item": serialize({"pk": keys.event(event_key), "sk": keys.SEEN, "expires_at": expires_at}),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def record_stop(
        self, wait: WaitRecord, *, event_key: str, expires_at: int, stop: Mapping[str, Any]
    ) -> bool:
        """Count one abnormal stop in the WAIT item, at most once per ``event_key``.

        False when the event was seen before or the wait is over (token changed or item gone).
        """
        return self._update_wait_once(
            wait,
            event_key,
            expires_at,
            "ADD abnormal_stops :one SET stops = list_append(if_not_exists(stops, :empty), :stop)",
            one=1,
            empty=[],
            stop=[dict(stop)],
        )

    def record_service_event(
        self, wait: WaitRecord, *, event_key: str, expires_at: int, service_event: Mapping[str, Any]
    ) -> bool:
        """Keep an ECS service warning as rollback evidence, at most once per ``event_key``."""
        return self._update_wait_once(
            wait,
            event_key,
            expires_at,
            "SET service_events = list_append(if_not_exists(service_events, :empty), :event)",
            empty=[],
            event=[dict(service_event)],
        )

    def _update_wait_once(
        self, wait: WaitRecord, event_key: str, expires_at: int, expression: str, **vals: Any
    ) -> bool:
        """Apply `expression` to the WAIT item and mark `event_key` seen, in one transaction; False when
        the event was seen before or the wait is over (its token changed or the item is gone)."""
        codes = self._transact(
            [
                self._seen_put(event_key, expires_at),
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": key(keys.service(wait.cluster, wait.service), keys.WAIT),
                        "UpdateExpression": expression,
                        "ConditionExpression": "task_token = :token",
                        "ExpressionAttributeValues": values(**vals, token=wait.task_token),
                    }
                },
            ],
            "dynamodb:TransactWriteItems",
        )
        return codes is None

    def complete_wait(self, wait: WaitRecord, *, event_key: str, expires_at: int) -> bool:
        """Delete the WAIT item and remember the event that ended it; False if either already happened."""
        codes = self._transact(
            [
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": key(keys.service(wait.cluster, wait.service), keys.WAIT),
                        "ConditionExpression": "task_token = :token",
                        "ExpressionAttributeValues": values(token=wait.task_token),
                    }
                },
                self._seen_put(event_key, expires_at),
            ],
            "dynamodb:TransactWriteItems",
        )
        return codes is None

    def was_seen(self, event_key: str) -> bool:
        """Whether an event was remembered (a strongly consistent read: a copy may have just marked it)."""
        return self._get(keys.event(event_key), keys.SEEN) is not None

    def mark_seen(self, event_key: str, expires_at: int) -> bool:
        """Remember an event; False if it was seen before."""
        try:
            self._ddb.put_item(
                TableName=self._table,
                Item=serialize({"pk": keys.event(event_key), "sk": keys.SEEN, "expires_at": expires_at}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                return False
            raise translate(err, "dynamodb:PutItem") from err
        return True
