"""Beginning a deploy (lease, owners, record, application in one transaction) and renewing its lease.

One owner per listener, rule and slot: the ``APP`` items of the listener (or rule) a deploy shifts, of
its test listener, and of each slot service name the one application they serve. They are written in
the transaction that takes the lease, each only if absent or already this application's, so two
applications can never both believe they own a slot or a route, however their deploys interleave.
DynamoDB says which item of a cancelled transaction refused (``CancellationReasons``, one per item, in
order) and, with ``ReturnValuesOnConditionCheckFailure: ALL_OLD``, what that item holds: the refusal
names the owner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fargate_ops.aws import keys
from fargate_ops.aws._errors import error_code, translate
from fargate_ops.aws.dynamo import deserialize, serialize, values
from fargate_ops.aws.keys import key
from fargate_ops.aws.records import ApplicationRecord, Lease
from fargate_ops.aws.store_deploys import DeployRecords
from fargate_ops.aws.table import CONDITION_FAILED
from fargate_ops.errors import DeployInputError, LeaseHeldError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

# Free, or ours already (a Lambda retry of the same step).
LEASE_FREE_OR_OURS = "attribute_not_exists(pk) OR (deploy_id = :me AND execution = :execution)"
# Exactly the lease that ran out (a renewal in between changes its expiry and refuses this).
LEASE_RAN_OUT = "deploy_id = :holder AND lease_expires_at = :holder_expires AND lease_expires_at < :now"
CONDITION_CHECK_FAILED = "ConditionalCheckFailed"
_RANK = {"lease": 0, "record": 1, "application": 3}


def lease_from_item(item: Mapping[str, Any]) -> Lease:
    execution = item.get("execution")
    return Lease(
        deploy_id=str(item["deploy_id"]),
        lease_expires_at=float(item["lease_expires_at"]),
        execution=str(execution) if execution else None,
    )


class LeaseRecords(DeployRecords):
    def owner(self, pk: str) -> str | None:
        """The application an owner item (``keys.service`` or ``keys.listener``, sk ``APP``) names."""
        item = self._get(pk, keys.APP)
        return str(item["application"]) if item and item.get("application") else None

    def begin_deploy(
        self,
        *,
        cluster: str,
        application: str,
        deploy_id: str,
        execution: str,
        now: float,
        lease_seconds: int,
        deploy_record: Mapping[str, Any],
        new_application: ApplicationRecord | None,
        slots: Sequence[str],
        routes: Sequence[str],
        ran_out: Lease | None = None,
    ) -> None:
        """Take the application's lease, its slots and routes, create the deploy record and (first
        deploy) the application, in one transaction: all of it happens or nothing does.

        Re-running it for the same deploy and execution (a Lambda retry) succeeds. ``ran_out`` takes over
        exactly that expired lease (the caller checked that its execution ended). LeaseHeldError when
        the lease is held (``.lease`` is it) or another application owns a slot or route.
        """
        pk = keys.application(cluster, application)
        lease_item = {
            "pk": pk,
            "sk": keys.LEASE,
            "deploy_id": deploy_id,
            "execution": execution,
            "lease_seconds": lease_seconds,
            "lease_expires_at": now + lease_seconds,
            "acquired_at": now,
        }
        if ran_out is None:
            condition, named = LEASE_FREE_OR_OURS, values(me=deploy_id, execution=execution)
        else:
            condition = f"({LEASE_FREE_OR_OURS}) OR ({LEASE_RAN_OUT})"
            named = values(
                me=deploy_id,
                execution=execution,
                holder=ran_out.deploy_id,
                holder_expires=ran_out.lease_expires_at,
                now=now,
            )
        labelled: list[tuple[str, TransactWriteItemTypeDef]] = [
            ("lease", self._put(lease_item, condition, named)),
            (
                "record",
                self._put(
                    {**deploy_record, "pk": keys.deploy(deploy_id), "sk": keys.META, "execution": execution},
                    "attribute_not_exists(pk) OR execution = :execution",
                    values(execution=execution),
                ),
            ),
            ("application", self._application_item(pk, deploy_id, new_application)),
        ]
        for slot in slots:
            item = {"pk": keys.service(cluster, slot), "sk": keys.APP, "application": application}
            mine = values(app=application)
            labelled.append((f"slot {slot}", self._owned(item, "application = :app", mine)))
        for route in routes:
            item = {"pk": keys.listener(route), "sk": keys.APP, "cluster": cluster}
            item["application"] = application
            same = "#cluster = :cluster AND application = :app"  # CLUSTER is a reserved word
            owned = self._owned(item, same, values(cluster=cluster, app=application))
            owned["Put"]["ExpressionAttributeNames"] = {"#cluster": "cluster"}
            labelled.append((route, owned))
        reasons = self._transact_reasons([item for _, item in labelled], "dynamodb:TransactWriteItems")
        if reasons is None:
            return
        refused = [
            (label, reason)
            for (label, _), reason in zip(labelled, reasons, strict=False)
            if reason.get("Code") == CONDITION_CHECK_FAILED
        ]
        # The most telling refusal first: the lease, the id, an owner, then a registration race.
        label, reason = min(refused, key=lambda refusal: _RANK.get(refusal[0], 2))
        old = deserialize(reason["Item"]) if reason.get("Item") else None
        raise _refusal(label, old, cluster, application, deploy_id)

    def renew_lease(
        self, cluster: str, application: str, deploy_id: str, execution: str, *, now: float
    ) -> bool:
        """Push our lease's expiry to now + its own length; False if this deploy and execution do not hold
        it. The length comes from the lease item (written at acquisition), never from the document."""
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key=key(keys.application(cluster, application), keys.LEASE),
                UpdateExpression="SET lease_expires_at = lease_seconds + :now, renewed_at = :now",
                ConditionExpression=(
                    "deploy_id = :me AND execution = :execution AND attribute_exists(lease_seconds)"
                ),
                ExpressionAttributeValues=values(now=now, me=deploy_id, execution=execution),
            )
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                return False
            raise translate(err, "dynamodb:UpdateItem") from err
        return True

    def _put(
        self, item: Mapping[str, Any], condition: str, named: dict[str, Any]
    ) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self._table,
                "Item": serialize(item),
                "ConditionExpression": condition,
                "ExpressionAttributeValues": named,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def _owned(
        self, item: Mapping[str, Any], same_owner: str, named: dict[str, Any]
    ) -> TransactWriteItemTypeDef:
        return self._put(item, f"attribute_not_exists(pk) OR ({same_owner})", named)

    def _application_item(
        self, pk: str, deploy_id: str, new_application: ApplicationRecord | None
    ) -> TransactWriteItemTypeDef:
        if new_application is not None:
            return self._put(
                {**new_application.item(), "last_deploy_id": deploy_id},
                "attribute_not_exists(pk) OR last_deploy_id = :me",
                values(me=deploy_id),
            )
        return {
            "Update": {
                "TableName": self._table,
                "Key": key(pk, keys.META),
                "UpdateExpression": "SET last_deploy_id = :me",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": values(me=deploy_id),
            }
        }


def _refusal(
    label: str, old: Mapping[str, Any] | None, cluster: str, application: str, deploy_id: str
) -> Exception:
    """What a refused item of ``begin_deploy`` means, naming who holds it."""
    if label == "lease":
        holder = lease_from_item(old) if old else None
        name = holder.deploy_id if holder else "another deploy"
        return LeaseHeldError(
            f"{application} in {cluster} is being deployed by {name}", holder=name, lease=holder
        )
    if label == "record":
        return DeployInputError("deploy_id", f"{deploy_id!r} was already used by another execution")
    if label == "application":
        return LeaseHeldError(f"{application} in {cluster} was registered by another deploy meanwhile")
    owner = str(old.get("application")) if old else "another application"
    what = f"the service {label.removeprefix('slot ')}" if label.startswith("slot ") else label
    return LeaseHeldError(
        f"{what} belongs to application {owner}, not {application}: a slot, listener or rule serves "
        "one application (deploy it as that application, or hand it over)",
        holder=owner,
    )
