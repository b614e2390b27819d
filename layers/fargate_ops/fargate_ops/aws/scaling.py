"""The reconciler's AWS calls: opted-in services, scalable targets, the writes, status tags, events, and
the one-time EventBridge Scheduler schedule at the next window edge.

Batches as the APIs allow: DescribeServices 10 services (with ``include=["TAGS"]``, so the opt-in tag
costs no ListTagsForResource per service), DescribeScalableTargets 50 resource ids, PutEvents 10 entries,
status tags 20 services per TagResources of the Resource Groups Tagging API (the services that get the
same tags together; AWS then authorises ecs:TagResource on each service, as the caller).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import error_code, translate
from fargate_ops.aws.ecs import DESCRIBE_SERVICES_BATCH, NOT_FOUND, iter_batches

if TYPE_CHECKING:
    from mypy_boto3_application_autoscaling import ApplicationAutoScalingClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

LIST_SERVICES_PAGE = 100  # ListServices' largest page (its default is 10)
SCALABLE_TARGETS_BATCH = 50  # DescribeScalableTargets takes at most 50 ResourceIds
PUT_EVENTS_BATCH = 10  # PutEvents takes at most 10 entries
PUT_EVENTS_BYTES = 256 * 1024  # and at most 256 KB for all of them together (EventBridge quotas)
ACTIONS_PER_EVENT = 100  # changes per event, one cluster's (a round of scaling/changes.CHUNK)
TAG_RESOURCES_BATCH = 20  # tag:TagResources takes at most 20 ARNs
DIMENSION: Final[Literal["ecs:service:DesiredCount"]] = "ecs:service:DesiredCount"
EVENT_SOURCE = "fargate-ops"
EVENT_DETAIL_TYPE = "Scaling Actions"
# ECS tag values: letters, digits, spaces and + - = . _ : / @, at most 256 characters.
_TAG_VALUE_UNSAFE = re.compile(r"[^\w\s+\-=.:/@]")


def tag_value(text: str) -> str:
    return _TAG_VALUE_UNSAFE.sub("", text)[:256]


@dataclass(frozen=True, slots=True)
class OptedIn:
    """An ACTIVE service carrying the opt-in tag."""

    cluster: str
    name: str
    arn: str
    schedule: str
    desired: int
    tags: Mapping[str, str] = field(default_factory=dict)
    task_definition: str = ""  # the service's (its PRIMARY deployment's) task definition ARN
    target_groups: tuple[str, ...] = ()  # the load balancers' target groups it registers with

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def region(self) -> str:
        return self.arn.split(":")[3]

    @property
    def resource_id(self) -> str:
        """Application Auto Scaling's ResourceId of the service."""
        return f"service/{self.cluster}/{self.name}"


class ScalingAdapter:
    def __init__(
        self,
        ecs: ECSClient,
        autoscaling: ApplicationAutoScalingClient,
        events: EventBridgeClient,
        scheduler: EventBridgeSchedulerClient,
        tagging: Any,  # resourcegroupstaggingapi (no type stubs installed for it)
    ) -> None:
        self._ecs, self._aas, self._events, self._scheduler = ecs, autoscaling, events, scheduler
        self._tagging = tagging

    # reading ------------------------------------------------------------------------------------

    def opted_in(self, cluster: str, tag_key: str) -> list[OptedIn]:
        """Every ACTIVE service of the cluster whose ``tag_key`` tag names a schedule."""
        arns: list[str] = []
        try:
            pages = self._ecs.get_paginator("list_services").paginate(
                cluster=cluster, PaginationConfig={"PageSize": LIST_SERVICES_PAGE}
            )
            for page in pages:
                arns.extend(page.get("serviceArns", []))
        except ClientError as err:
            raise translate(err, "ecs:ListServices", NOT_FOUND) from err
        found: list[OptedIn] = []
        for batch in iter_batches(arns, DESCRIBE_SERVICES_BATCH):
            try:
                response = self._ecs.describe_services(cluster=cluster, services=batch, include=["TAGS"])
            except ClientError as err:
                raise translate(err, "ecs:DescribeServices", NOT_FOUND) from err
            for service in response.get("services", []):
                tags = {t.get("key", ""): t.get("value", "") for t in service.get("tags", [])}
                if service.get("status") == "ACTIVE" and tags.get(tag_key):
                    found.append(
                        OptedIn(
                            cluster=cluster,
                            name=service["serviceName"],
                            arn=service["serviceArn"],
                            schedule=tags[tag_key],
                            desired=int(service.get("desiredCount", 0)),
                            tags=tags,
                            task_definition=str(service.get("taskDefinition", "")),
                            target_groups=tuple(
                                str(lb["targetGroupArn"])
                                for lb in service.get("loadBalancers", [])
                                if lb.get("targetGroupArn")
                            ),
                        )
                    )
        return found

    def scalable_targets(self, services: Sequence[OptedIn]) -> dict[str, tuple[int, int]]:
        """ResourceId -> (min, max) of the services that have a scalable target."""
        bounds: dict[str, tuple[int, int]] = {}
        ids = [s.resource_id for s in services]
        for batch in iter_batches(ids, SCALABLE_TARGETS_BATCH):
            try:
                pages = self._aas.get_paginator("describe_scalable_targets").paginate(
                    ServiceNamespace="ecs", ResourceIds=batch, ScalableDimension=DIMENSION
                )
                for page in pages:
                    for target in page.get("ScalableTargets", []):
                        bounds[target["ResourceId"]] = (target["MinCapacity"], target["MaxCapacity"])
            except ClientError as err:
                raise translate(err, "application-autoscaling:DescribeScalableTargets") from err
        return bounds

    # writing ------------------------------------------------------------------------------------

    def set_desired(self, service: OptedIn, desired: int) -> None:
        try:
            self._ecs.update_service(cluster=service.cluster, service=service.name, desiredCount=desired)
        except ClientError as err:
            raise translate(err, "ecs:UpdateService", NOT_FOUND) from err

    def set_bounds(self, service: OptedIn, low: int, high: int) -> None:
        """RegisterScalableTarget on an existing target: only its bounds change (role, policies stay)."""
        try:
            self._aas.register_scalable_target(
                ServiceNamespace="ecs",
                ResourceId=service.resource_id,
                ScalableDimension=DIMENSION,
                MinCapacity=low,
                MaxCapacity=high,
            )
        except ClientError as err:
            raise translate(err, "application-autoscaling:RegisterScalableTarget") from err

    def tag(self, tagged: Iterable[tuple[OptedIn, Mapping[str, str]]]) -> dict[str, str]:
        """Status tags, only those that differ from what each service carries: the services that get the
        same tags in one TagResources, 20 at a time. Returns service ARN -> why it was not tagged."""
        groups: dict[tuple[tuple[str, str], ...], list[str]] = {}
        for service, tags in tagged:
            changed = {k: tag_value(v) for k, v in tags.items() if service.tags.get(k) != tag_value(v)}
            if changed:
                groups.setdefault(tuple(sorted(changed.items())), []).append(service.arn)
        failed: dict[str, str] = {}
        for same, arns in groups.items():
            for batch in iter_batches(arns, TAG_RESOURCES_BATCH):
                try:
                    answer = self._tagging.tag_resources(ResourceARNList=batch, Tags=dict(same))
                except ClientError as err:
                    raise translate(err, "tag:TagResources") from err
                # A resource the API could not tag is answered for here, not as an error of the call.
                for arn, why in answer.get("FailedResourcesMap", {}).items():
                    failed[arn] = f"{why.get('ErrorCode', '')}: {why.get('ErrorMessage', '')}"
        return failed

    def announce(self, details: Iterable[Mapping[str, Any]], resources: Iterable[str] = ()) -> None:
        """ "Scaling Actions" events on the default bus: one per cluster and up to ``ACTIONS_PER_EVENT``
        changes, ``{"cluster": ..., "actions": [...]}``. EventBridge matches a pattern on a field of
        the objects of an array against each of them, so a rule on ``detail.actions.service`` still
        picks one service's changes; an event per change cost a PutEvents call per 10 changes, the
        largest share of a changing run beyond its bound."""
        by_cluster: dict[str, list[Mapping[str, Any]]] = {}
        for detail in details:
            by_cluster.setdefault(str(detail.get("cluster", "")), []).append(detail)
        entries: list[PutEventsRequestEntryTypeDef] = [
            {
                "Source": EVENT_SOURCE,
                "DetailType": EVENT_DETAIL_TYPE,
                "Detail": json.dumps({"cluster": cluster, "actions": list(chunk)}, sort_keys=True),
            }
            for cluster, actions in by_cluster.items()
            for chunk in _chunks(actions, ACTIONS_PER_EVENT)
        ]
        for batch in _put_events_batches(entries):
            try:
                self._events.put_events(Entries=batch)
            except ClientError as err:
                raise translate(err, "events:PutEvents") from err

    def keep_one_time_schedule(self, name: str, expression: str, target_arn: str, role_arn: str) -> None:
        """Create or move the one-time schedule (``at(...)``, UTC) that runs the reconciler at the edge."""
        request: dict[str, Any] = {
            "Name": name,
            "ScheduleExpression": expression,
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": target_arn, "RoleArn": role_arn, "Input": json.dumps({"source": "edge"})},
            "State": "ENABLED",
        }
        try:
            self._scheduler.update_schedule(**request)
        except ClientError as err:
            if error_code(err) != "ResourceNotFoundException":
                raise translate(err, "scheduler:UpdateSchedule") from err
            try:
                self._scheduler.create_schedule(**request)
            except ClientError as create_err:
                raise translate(create_err, "scheduler:CreateSchedule") from create_err


def _entry_bytes(entry: PutEventsRequestEntryTypeDef) -> int:
    """An entry's size as EventBridge counts it against the 256 KB of a PutEvents request."""
    fields = [entry.get("Source", ""), entry.get("DetailType", ""), entry.get("Detail", "")]
    fields += list(entry.get("Resources", []))
    return sum(len(str(f).encode()) for f in fields)


def _chunks(items: Sequence[Mapping[str, Any]], size: int) -> Iterable[Sequence[Mapping[str, Any]]]:
    return (items[start : start + size] for start in range(0, len(items), size))


def _put_events_batches(
    entries: Sequence[PutEventsRequestEntryTypeDef],
) -> Iterable[list[PutEventsRequestEntryTypeDef]]:
    """The entries in PutEvents calls: at most 10 entries and 256 KB a call (an action is well under 1 KB,
    so an event of 100 is well under the limit on its own)."""
    batch: list[PutEventsRequestEntryTypeDef] = []
    size = 0
    for entry in entries:
        weight = _entry_bytes(entry)
        if batch and (len(batch) == PUT_EVENTS_BATCH or size + weight > PUT_EVENTS_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += weight
    if batch:
        yield batch
