"""Scaling schedules, overrides and what the reconciler remembers per service, in the single table.

Keys are ``aws/keys.py``'s: schedules in one partition (``SCHEDULES``, sk ``SCHEDULE#<name>``), so one
Query lists them all; a service's override (``OVERRIDE``) and scaling state (``SCALING``) next to its
other items (``SERVICE#<cluster>#<service>``). A schedule is stored as the JSON of its validated model
and validated again when read: an item written by hand cannot reach the reconciler unchecked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops.aws import keys
from fargate_ops.aws._errors import error_code, translate
from fargate_ops.aws.dynamo import deserialize, serialize, values
from fargate_ops.aws.keys import key
from fargate_ops.aws.table import CONDITION_FAILED, Table
from fargate_ops.errors import FargateOpsError
from fargate_ops.models.schedule import Override, Schedule, parse_override, parse_schedule


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
    end; ``saved_desired`` None: nothing saved). ``last_*``: the last action, shown as status tags.
    """

    cluster: str
    service: str
    schedule: str
    saved_desired: int | None = None
    saved_min: int | None = None
    saved_max: int | None = None
    last_action: str | None = None
    last_action_at: float | None = None
    last_error: str | None = None
    # The gone images people were told about (a scale-up from zero held for them): told once each.
    missing_images: tuple[str, ...] = ()

    @property
    def has_saved(self) -> bool:
        return self.saved_desired is not None or self.saved_min is not None

    def item(self) -> dict[str, Any]:
        item = {"pk": keys.service(self.cluster, self.service), "sk": keys.SCALING, **asdict(self)}
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
            "pk": keys.service(cluster, override.service),
            "sk": keys.OVERRIDE,
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
        item = self._get(keys.service(cluster, service), keys.OVERRIDE)
        return parse_override(json.loads(item["document"])) if item else None

    def delete_override(self, cluster: str, service: str) -> None:
        try:
            self._ddb.delete_item(
                TableName=self._table, Key=key(keys.service(cluster, service), keys.OVERRIDE)
            )
        except ClientError as err:
            raise translate(err, "dynamodb:DeleteItem") from err

    # what the reconciler remembers --------------------------------------------------------------

    def service_scaling(self, cluster: str, service: str) -> ServiceScaling:
        """The service's partition in one strongly consistent Query (a deploy may have just written
        its APP item); one call per service instead of three GetItems."""
        by_sk: dict[str, dict[str, Any]] = {}
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": values(pk=keys.service(cluster, service)),
            "ConsistentRead": True,
        }
        try:
            while True:
                page = self._ddb.query(**kwargs)
                for raw in page.get("Items", []):
                    item = deserialize(raw)
                    by_sk[str(item["sk"])] = item
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except ClientError as err:
            raise translate(err, "dynamodb:Query") from err
        override, state = by_sk.get(keys.OVERRIDE), by_sk.get(keys.SCALING)
        return ServiceScaling(
            application=(by_sk.get(keys.APP) or {}).get("application"),
            override=parse_override(json.loads(override["document"])) if override else None,
            state=ScalingState.from_item(state) if state else None,
        )

    def record(self, entry: Mapping[str, Any]) -> None:
        """A timeline entry (``TimelineEntry.item``): the service's scaling actions next to its events."""
        try:
            self._ddb.put_item(TableName=self._table, Item=serialize(entry))
        except ClientError as err:
            raise translate(err, "dynamodb:PutItem") from err

    def get_state(self, cluster: str, service: str) -> ScalingState | None:
        item = self._get(keys.service(cluster, service), keys.SCALING)
        return ScalingState.from_item(item) if item else None

    def put_state(self, state: ScalingState) -> None:
        try:
            self._ddb.put_item(TableName=self._table, Item=serialize(state.item()))
        except ClientError as err:
            raise translate(err, "dynamodb:PutItem") from err

    def get_edge(self) -> str | None:
        """The at() expression of the one-time schedule the reconciler last armed."""
        item = self._get(keys.SCHEDULES, keys.EDGE)
        return str(item["expression"]) if item else None

    def put_edge(self, expression: str) -> None:
        try:
            self._ddb.put_item(
                TableName=self._table,
                Item=serialize({"pk": keys.SCHEDULES, "sk": keys.EDGE, "expression": expression}),
            )
        except ClientError as err:
            raise translate(err, "dynamodb:PutItem") from err
