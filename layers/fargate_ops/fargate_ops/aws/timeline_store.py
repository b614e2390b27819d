"""DynamoDB items of the reactions outside deploys, in the application's single table.

- timeline entry: pk ``TIMELINE#<cluster>#<service>``, sk ``<ISO time>#<event id>``: one recorded event
  or notification; expires after the retention (14 days by default);
- reactions state: pk ``SERVICE#<cluster>#<service>``, sk ``REACTIONS``: ``ServiceAlerts``, ``rev`` (an
  optimistic lock), ``outbox`` (notifications written but not yet published) and ``seen`` (the
  idempotency keys of the service's last events, so a redelivery costs no write);
- task version: pk ``TASK#<task ARN>``, sk ``VERSION``: the highest ``detail.version`` acted on; expires
  after 48 h (EventBridge retries for 24 h). A task event without a version guards on its event id
  (pk ``EVENT#REACTIONS#<event id>``, sk ``SEEN``).

The reactions state lives next to the deploy engine's ``WAIT`` and ``APP`` items of the same service, so
one Query reads everything an event may need (``snapshot``), and ``SharedReadStore`` hands the deploy
reactions their ``WAIT`` item from that same read. That Query is strongly consistent: a deploy parks its
WAIT item moments before the event that ends or fails the wait arrives, and an eventually consistent
read may not see it yet ("nobody waits on the service": a steady state or a crash loop's stop dropped,
the wait left to time out). For a partition this small that costs one read unit instead of half of one,
and no extra call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from fargate_ops import clock
from fargate_ops.aws import keys
from fargate_ops.aws._errors import error_code, translate
from fargate_ops.aws.conflicts import ConflictRetrying
from fargate_ops.aws.dynamo import deserialize, serialize, values
from fargate_ops.aws.keys import key
from fargate_ops.aws.records import WaitRecord
from fargate_ops.aws.store import Store
from fargate_ops.frozen import frozen

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELED = "TransactionCanceledException"


class CommitResult(StrEnum):
    DONE = "done"
    DUPLICATE = "duplicate"  # this event (or this task version) was acted on before
    STALE = "stale"  # a newer version of this task was acted on already
    CONFLICT = "conflict"  # another invocation changed the service's state since it was read


@frozen
class TimelineEntry:
    cluster: str
    service: str
    at: float  # when it happened (the event's own time), epoch seconds
    key: str  # the event id, or a notification id
    kind: str  # task_stopped, service_action, deployment, notification, notification_held_back
    summary: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sk(self) -> str:
        return keys.timeline_entry(self.at, self.key)

    def with_detail(self, **more: Any) -> TimelineEntry:
        return replace(self, detail={**self.detail, **more})

    def item(self, expires_at: int) -> dict[str, Any]:
        return {
            "pk": keys.timeline(self.cluster, self.service),
            "sk": self.sk,
            "cluster": self.cluster,
            "service": self.service,
            "at": self.at,
            "kind": self.kind,
            "summary": self.summary,
            "detail": dict(self.detail),
            "expires_at": expires_at,
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> TimelineEntry:
        return cls(
            cluster=str(item.get("cluster", "")),
            service=str(item.get("service", "")),
            at=float(item.get("at", 0)),
            key=str(item["sk"]).split("#", 1)[-1],
            kind=str(item.get("kind", "")),
            summary=str(item.get("summary", "")),
            detail=dict(item.get("detail") or {}),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": clock.iso(self.at),
            "kind": self.kind,
            "summary": self.summary,
            "key": self.key,
            "detail": dict(self.detail),
        }


@frozen
class TaskGuard:
    """Acts once per ``(taskArn, version)``, and never on a version older than one acted on."""

    task_arn: str
    version: int | None
    event_id: str

    @property
    def idempotency_key(self) -> str:
        if self.version is None:  # some documented samples carry no version: the event id must do
            return f"event:{self.event_id}"
        return f"{self.task_arn}#v{self.version}"

    def put(self, table: str, expires_at: int) -> dict[str, Any]:
        if self.version is None:
            return {
                "TableName": table,
                "Item": serialize(
                    {
                        "pk": keys.event(keys.watch_seen(self.event_id)),
                        "sk": keys.SEEN,
                        "expires_at": expires_at,
                    }
                ),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        return {
            "TableName": table,
            "Item": serialize(
                {
                    "pk": keys.task(self.task_arn),
                    "sk": keys.VERSION,
                    "version": self.version,
                    "event_id": self.event_id,
                    "expires_at": expires_at,
                }
            ),
            "ConditionExpression": "attribute_not_exists(pk) OR version < :version",
            "ExpressionAttributeValues": values(version=self.version),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }


@frozen
class ServiceSnapshot:
    """Everything of one service the reactions read: the deploy's WAIT item and our own state."""

    cluster: str
    service: str
    wait: Mapping[str, Any] | None = None
    application: str | None = None
    alerts: Mapping[str, Any] | None = None
    rev: int = 0
    outbox: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    seen: tuple[str, ...] = ()


@frozen
class StateWrite:
    alerts: Mapping[str, Any]
    expected_rev: int
    outbox: Mapping[str, Mapping[str, Any]]
    expires_at: int
    seen: tuple[str, ...] = ()


class TimelineStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._ddb = cast("DynamoDBClient", ConflictRetrying(client))  # the client's API, writes resent
        self._table = table_name
        self._snapshots: dict[tuple[str, str], ServiceSnapshot] = {}

    # reading one service ------------------------------------------------------------------------

    def snapshot(self, cluster: str, service: str, *, fresh: bool = False) -> ServiceSnapshot:
        """One consistent Query of the service's partition (APP, WAIT, REACTIONS), kept for this
        invocation; ``fresh`` reads it again (after a conflict, say)."""
        cached = self._snapshots.get((cluster, service))
        if cached is not None and not fresh:
            return cached
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": values(pk=keys.service(cluster, service)),
            "ConsistentRead": True,
        }
        try:
            while True:
                page = self._ddb.query(**kwargs)
                items += [deserialize(i) for i in page.get("Items", [])]
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except ClientError as err:
            raise translate(err, "dynamodb:Query") from err
        by_sk = {str(i["sk"]): i for i in items}
        state = by_sk.get(keys.REACTIONS) or {}
        snapshot = ServiceSnapshot(
            cluster=cluster,
            service=service,
            wait=by_sk.get(keys.WAIT),
            application=(by_sk.get(keys.APP) or {}).get("application"),
            alerts=state.get("alerts"),
            rev=int(state.get("rev", 0)),
            outbox=dict(state.get("outbox") or {}),
            seen=tuple(str(k) for k in state.get("seen") or []),
        )
        self._snapshots[(cluster, service)] = snapshot
        return snapshot

    def forget(self, cluster: str, service: str) -> None:
        self._snapshots.pop((cluster, service), None)

    # writing ------------------------------------------------------------------------------------

    def commit(
        self,
        cluster: str,
        service: str,
        *,
        guard: TaskGuard | None,
        entries: Sequence[TimelineEntry],
        entries_expire_at: int,
        guard_expires_at: int,
        state: StateWrite | None = None,
    ) -> CommitResult:
        """Write the entries (and the guard and the state) all together, or nothing.

        Without a ``guard`` the first entry guards itself: it is written only if its key is new, so a
        redelivered service event (same id, same time) is told apart from a new one.
        """
        items: list[TransactWriteItemTypeDef] = []
        if guard is not None:
            items.append({"Put": guard.put(self._table, guard_expires_at)})  # type: ignore[typeddict-item]
        for i, entry in enumerate(entries):
            put: dict[str, Any] = {"TableName": self._table, "Item": serialize(entry.item(entries_expire_at))}
            if guard is None and i == 0:
                put["ConditionExpression"] = "attribute_not_exists(pk)"
            items.append({"Put": put})  # type: ignore[typeddict-item]
        if state is not None:
            items.append({"Put": self._state_put(cluster, service, state)})  # type: ignore[typeddict-item]
        self.forget(cluster, service)
        if len(items) == 1:
            return self._put_one(items[0]["Put"], guard)
        try:
            self._ddb.transact_write_items(TransactItems=items)
        except ClientError as err:
            if error_code(err) != TRANSACTION_CANCELED:
                raise translate(err, "dynamodb:TransactWriteItems") from err
            reasons: Sequence[Mapping[str, Any]] = err.response.get("CancellationReasons", [])
            return self._cancelled(reasons, guard, state is not None, err)
        return CommitResult.DONE

    def _put_one(self, put: Mapping[str, Any], guard: TaskGuard | None) -> CommitResult:
        try:
            self._ddb.put_item(**put)
        except ClientError as err:
            if error_code(err) != CONDITION_FAILED:
                raise translate(err, "dynamodb:PutItem") from err
            return _guard_result(err.response.get("Item"), guard)  # type: ignore[arg-type]
        return CommitResult.DONE

    @staticmethod
    def _cancelled(
        reasons: Sequence[Mapping[str, Any]], guard: TaskGuard | None, with_state: bool, err: ClientError
    ) -> CommitResult:
        codes = [str(r.get("Code", "None")) for r in reasons]
        if not any(code == "ConditionalCheckFailed" for code in codes):
            raise translate(err, "dynamodb:TransactWriteItems") from err
        if codes and codes[0] == "ConditionalCheckFailed":
            return _guard_result(reasons[0].get("Item"), guard)
        if with_state and codes[-1] == "ConditionalCheckFailed":
            return CommitResult.CONFLICT
        return CommitResult.DUPLICATE

    def _state_put(self, cluster: str, service: str, state: StateWrite) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Item": serialize(
                {
                    "pk": keys.service(cluster, service),
                    "sk": keys.REACTIONS,
                    "cluster": cluster,
                    "service": service,
                    "alerts": dict(state.alerts),
                    "outbox": {k: dict(v) for k, v in state.outbox.items()},
                    "seen": list(state.seen),
                    "rev": state.expected_rev + 1,
                    "expires_at": state.expires_at,
                }
            ),
            "ConditionExpression": "attribute_not_exists(pk) OR rev = :rev",
            "ExpressionAttributeValues": values(rev=state.expected_rev),
        }

    def claim_outbox(
        self, cluster: str, service: str, notification_id: str, *, seen: Any, until: float
    ) -> bool:
        """Take over publishing a left-over notification: True if its claim was still ``seen``
        (``None``: never claimed) and is now this invocation's, until ``until``."""
        condition = (
            "attribute_not_exists(outbox.#id.claimed_until)"
            if seen is None
            else "outbox.#id.claimed_until = :seen"
        )
        named: dict[str, Any] = {"until": until, **({"seen": seen} if seen is not None else {})}
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key=key(keys.service(cluster, service), keys.REACTIONS),
                UpdateExpression="SET outbox.#id.claimed_until = :until",
                ConditionExpression=f"attribute_exists(outbox.#id) AND {condition}",
                ExpressionAttributeNames={"#id": notification_id},
                ExpressionAttributeValues=values(**named),
            )
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                return False  # another invocation claimed it, or published it already
            raise translate(err, "dynamodb:UpdateItem") from err
        finally:
            self.forget(cluster, service)
        return True

    def clear_outbox(self, cluster: str, service: str, notification_id: str) -> None:
        """Forget a sent notification; bumps ``rev`` so a writer holding an older read starts over."""
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key=key(keys.service(cluster, service), keys.REACTIONS),
                UpdateExpression="REMOVE outbox.#id ADD rev :one",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#id": notification_id},
                ExpressionAttributeValues=values(one=1),
            )
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                return
            raise translate(err, "dynamodb:UpdateItem") from err
        finally:
            self.forget(cluster, service)

    # reading the timeline ----------------------------------------------------------------------

    def entries(
        self, cluster: str, service: str, *, since: float | None = None, limit: int | None = None
    ) -> list[TimelineEntry]:
        """Newest first, back to ``since`` (epoch seconds), at most ``limit``."""
        condition = "pk = :pk"
        named: dict[str, Any] = {"pk": keys.timeline(cluster, service)}
        if since is not None:
            condition += " AND sk >= :since"
            named["since"] = clock.iso(since)
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values(**named),
            "ScanIndexForward": False,
        }
        found: list[TimelineEntry] = []
        try:
            while limit is None or len(found) < limit:
                if limit is not None:
                    kwargs["Limit"] = limit - len(found)
                page = self._ddb.query(**kwargs)
                found += [TimelineEntry.from_item(deserialize(i)) for i in page.get("Items", [])]
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except ClientError as err:
            raise translate(err, "dynamodb:Query") from err
        return found


def _guard_result(old: Mapping[str, Any] | None, guard: TaskGuard | None) -> CommitResult:
    if guard is None or guard.version is None or not old:
        return CommitResult.DUPLICATE
    seen = deserialize(old).get("version")
    return CommitResult.STALE if isinstance(seen, int) and seen > guard.version else CommitResult.DUPLICATE


class SharedReadStore(Store):
    """The deploy engine's ``Store``, whose WAIT reads come from the same (consistent) Query as the
    reactions' own state: an event that needs nothing costs one DynamoDB call, not two."""

    def __init__(self, client: DynamoDBClient, table_name: str, timeline: TimelineStore) -> None:
        super().__init__(client, table_name)
        self._timeline = timeline

    def get_wait(self, cluster: str, service: str, *, consistent: bool = False) -> WaitRecord | None:
        if consistent:
            return super().get_wait(cluster, service, consistent=True)
        item = self._timeline.snapshot(cluster, service).wait
        return WaitRecord.from_item(item) if item else None
