"""Scaling schedules, overrides and what the reconciler remembers per service, in the single table.

Keys are ``aws/keys.py``'s: schedules in one partition (``SCHEDULES``, sk ``SCHEDULE#<name>``, with the
reconciler's ``EDGE``), so one Query lists them all; the overrides and scaling states of a cluster's
services in one partition per cluster (``SCALING#<cluster>``), so one Query (a page per MB) reads them
all; which services are blue/green slots from their ``APP`` items, 100 per BatchGetItem. A run's item
writes go 25 per BatchWriteItem (``write_items``). A schedule is
stored as the JSON of its validated model and validated again when read: an item written by hand
cannot reach the reconciler unchecked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops import clock
from fargate_ops.aws import keys
from fargate_ops.aws._errors import error_code, translate
from fargate_ops.aws.dynamo import deserialize, serialize, values
from fargate_ops.aws.keys import key
from fargate_ops.aws.table import CONDITION_FAILED, Table
from fargate_ops.errors import FargateOpsError, ThrottlingError
from fargate_ops.models.schedule import Override, Schedule, parse_override, parse_schedule

BATCH_GET_ITEMS = 100  # BatchGetItem takes at most 100 keys
BATCH_WRITE_ITEMS = 25  # BatchWriteItem takes at most 25 requests
UNPROCESSED_RETRIES = 5


def _back_off(attempt: int) -> None:
    """Throttled: a batch call hands back what it did not do; wait before asking again."""
    clock.sleep(min(0.05 * 2**attempt, 1.0))


class ScheduleExistsError(FargateOpsError):
    """``scaling create`` of a name that is taken (use update)."""


class ScheduleNotFoundError(FargateOpsError):
    """No schedule of that name."""


@dataclass(frozen=True, slots=True)
class ServiceScaling:
    """One service's scaling items, read in one Query: its application (a blue/green slot), override
    and state."""

    application: str | None = None
    override: Override | None = None
    state: ScalingState | None = None


@dataclass(frozen=True, slots=True)
class ScalingState:
    """What the reconciler remembers of one service.

    ``saved_*``: what the service had before the schedule's first change (restored when the windows
    end; ``saved_desired`` None: nothing saved). ``last_error``: why a scale-up is held. The last
    action is on the service's timeline and status tags, not here: a change writes this item only when
    what it remembers changes (the first change's save, a restore), so most changes cost one item.
    """

    cluster: str
    service: str
    schedule: str
    saved_desired: int | None = None
    saved_min: int | None = None
    saved_max: int | None = None
    last_error: str | None = None
    # The gone images people were told about (a scale-up from zero held for them): told once each.
    missing_images: tuple[str, ...] = ()

    @property
    def has_saved(self) -> bool:
        return self.saved_desired is not None or self.saved_min is not None

    def item(self) -> dict[str, Any]:
        item = {"pk": keys.scaling(self.cluster), "sk": keys.scaling_state(self.service), **asdict(self)}
        item["missing_images"] = list(self.missing_images) or None  # DynamoDB: no empty list kept
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> ScalingState:
        fields = cls.__dataclass_fields__
        found = {k: v for k, v in item.items() if k in fields}
        found["missing_images"] = tuple(found.get("missing_images") or ())
        return cls(**found)


class ScalingStore(Table):
    # schedules ----------------------------------------------------------------------------------

    def put_schedule(self, raw: Any, *, at: str, create: bool) -> Schedule:
        """Validate and store a schedule; ScheduleError (every bad field) and nothing stored if invalid.

        ``create``: refused if the name exists (ScheduleExistsError); otherwise it must exist
        (ScheduleNotFoundError): create and update never overwrite each other by surprise.
        """
        schedule = parse_schedule(raw)
        item = {
            "pk": keys.SCHEDULES,
            "sk": keys.schedule(schedule.name),
            "name": schedule.name,
            "document": json.dumps(schedule.model_dump(mode="json", exclude_none=True), sort_keys=True),
            "updated_at": at,
        }
        condition = "attribute_not_exists(pk)" if create else "attribute_exists(pk)"
        try:
            self._ddb.put_item(TableName=self._table, Item=serialize(item), ConditionExpression=condition)
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                if create:
                    raise ScheduleExistsError(f"schedule {schedule.name} exists: update it") from None
                raise ScheduleNotFoundError(f"no schedule {schedule.name}: create it") from None
            raise translate(err, "dynamodb:PutItem") from err
        return schedule

    def get_schedule(self, name: str) -> Schedule | None:
        item = self._get(keys.SCHEDULES, keys.schedule(name))
        return parse_schedule(json.loads(item["document"])) if item else None

    def list_schedules(self) -> list[Schedule]:
        schedules: list[Schedule] = []
        try:
            pages = self._ddb.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={
                    ":pk": {"S": keys.SCHEDULES},
                    ":prefix": {"S": keys.schedule("")},
                },
                ConsistentRead=True,
            )
            for page in pages:
                for item in page.get("Items", []):
                    schedules.append(parse_schedule(json.loads(item["document"]["S"])))
        except ClientError as err:
            raise translate(err, "dynamodb:Query") from err
        return schedules

    def schedules_and_edge(self) -> tuple[list[Schedule], str | None]:
        """Every schedule and the edge the reconciler last armed: the whole partition in one Query."""
        schedules: list[Schedule] = []
        edge: str | None = None
        for item in self._query_all(keys.SCHEDULES):
            if item["sk"] == keys.EDGE:
                edge = str(item["expression"])
            elif str(item["sk"]).startswith(keys.schedule("")):
                schedules.append(parse_schedule(json.loads(item["document"])))
        return schedules, edge

    def delete_schedule(self, name: str) -> None:
        try:
            self._ddb.delete_item(
                TableName=self._table,
                Key=key(keys.SCHEDULES, keys.schedule(name)),
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as err:
            if error_code(err) == CONDITION_FAILED:
                raise ScheduleNotFoundError(f"no schedule {name}") from None
            raise translate(err, "dynamodb:DeleteItem") from err

    # overrides ----------------------------------------------------------------------------------

    def put_override(self, cluster: str, raw: Any, *, at: str) -> Override:
        override = parse_override(raw)
        item = {
            "pk": keys.scaling(cluster),
            "sk": keys.scaling_override(override.service),
            "document": override.model_dump_json(exclude_none=True),
            "updated_at": at,
            # Kept a day past its end for `scaling show`; it has no effect after `until` anyway.
            "expires_at": int(override.until.timestamp()) + 86_400,
        }
        try:
            self._ddb.put_item(TableName=self._table, Item=serialize(item))
        except ClientError as err:
            raise translate(err, "dynamodb:PutItem") from err
        return override

    def get_override(self, cluster: str, service: str) -> Override | None:
        item = self._get(keys.scaling(cluster), keys.scaling_override(service))
        return parse_override(json.loads(item["document"])) if item else None

    def delete_override(self, cluster: str, service: str) -> None:
        try:
            self._ddb.delete_item(
                TableName=self._table, Key=key(keys.scaling(cluster), keys.scaling_override(service))
            )
        except ClientError as err:
            raise translate(err, "dynamodb:DeleteItem") from err

    # what the reconciler remembers --------------------------------------------------------------

    def cluster_scaling(self, cluster: str, services: Sequence[str]) -> dict[str, ServiceScaling]:
        """Each service's scaling items: the cluster's overrides and states in one strongly consistent
        Query of its partition, and which are blue/green slots (their APP items, which the deploys
        write, 100 per BatchGetItem: a deploy may have just written one)."""
        overrides: dict[str, Override] = {}
        states: dict[str, ScalingState] = {}
        for item in self._query_all(keys.scaling(cluster)):
            kind, _, service = str(item["sk"]).partition("#")
            if kind + "#" == keys.scaling_override(""):
                overrides[service] = parse_override(json.loads(item["document"]))
            elif kind + "#" == keys.scaling_state(""):
                states[service] = ScalingState.from_item(item)
        applications = self._applications(cluster, services)
        return {
            name: ServiceScaling(applications.get(name), overrides.get(name), states.get(name))
            for name in services
        }

    def _query_all(self, pk: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": values(pk=pk),
            "ConsistentRead": True,
        }
        try:
            while True:
                page = self._ddb.query(**kwargs)
                found += [deserialize(raw) for raw in page.get("Items", [])]
                if "LastEvaluatedKey" not in page:
                    return found
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except ClientError as err:
            raise translate(err, "dynamodb:Query") from err

    def _applications(self, cluster: str, services: Sequence[str]) -> dict[str, str]:
        wanted = [key(keys.service(cluster, name), keys.APP) for name in services]
        found: dict[str, str] = {}
        for start in range(0, len(wanted), BATCH_GET_ITEMS):
            request: dict[str, Any] = {
                self._table: {"Keys": wanted[start : start + BATCH_GET_ITEMS], "ConsistentRead": True}
            }
            for attempt in range(UNPROCESSED_RETRIES + 1):
                try:
                    response = self._ddb.batch_get_item(RequestItems=request)
                except ClientError as err:
                    raise translate(err, "dynamodb:BatchGetItem") from err
                for raw in response.get("Responses", {}).get(self._table, []):
                    item = deserialize(raw)
                    found[str(item["pk"]).removeprefix(keys.service(cluster, ""))] = str(item["application"])
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                _back_off(attempt)
            else:
                raise ThrottlingError("dynamodb:BatchGetItem left keys unprocessed after retries")
        return found

    def write_items(self, items: Iterable[Mapping[str, Any]]) -> None:
        """Put every item, 25 per BatchWriteItem; returns once all are written. Under throttling
        BatchWriteItem writes only some and hands back the rest (``UnprocessedItems``): those are sent
        again, with back-off, until none is left (ThrottlingError if some still are after the retries:
        then the caller must not count them written)."""
        requests = [{"PutRequest": {"Item": serialize(item)}} for item in items]
        for start in range(0, len(requests), BATCH_WRITE_ITEMS):
            pending: dict[str, Any] = {self._table: requests[start : start + BATCH_WRITE_ITEMS]}
            for attempt in range(UNPROCESSED_RETRIES + 1):
                try:
                    response = self._ddb.batch_write_item(RequestItems=pending)
                except ClientError as err:
                    raise translate(err, "dynamodb:BatchWriteItem") from err
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
                _back_off(attempt)
            else:
                raise ThrottlingError("dynamodb:BatchWriteItem left items unprocessed after retries")

    def record(self, entry: Mapping[str, Any]) -> None:
        """A timeline entry (``TimelineEntry.item``): the service's scaling actions next to its events."""
        try:
            self._ddb.put_item(TableName=self._table, Item=serialize(entry))
        except ClientError as err:
            raise translate(err, "dynamodb:PutItem") from err

    def get_state(self, cluster: str, service: str) -> ScalingState | None:
        item = self._get(keys.scaling(cluster), keys.scaling_state(service))
        return ScalingState.from_item(item) if item else None

    def put_state(self, state: ScalingState) -> None:
        try:
            self._ddb.put_item(TableName=self._table, Item=serialize(state.item()))
        except ClientError as err:
            raise translate(err, "dynamodb:PutItem") from err

    def put_edge(self, expression: str) -> None:
        try:
            self._ddb.put_item(
                TableName=self._table,
                Item=serialize({"pk": keys.SCHEDULES, "sk": keys.EDGE, "expression": expression}),
            )
        except ClientError as err:
            raise translate(err, "dynamodb:PutItem") from err
