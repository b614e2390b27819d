"""EventBridge events the application reacts to, as msgspec structs.

Lenient on purpose: AWS adds fields to ECS events at any time, and some documented samples omit
``time``/``region``. Unknown fields are ignored, and everything the reactions do not need is optional.

msgspec, not pydantic as the schedule documents are (the deploy documents followed, models/deploy.py):
every ECS event of the account cold starts the events function sooner or later, and importing
pydantic's model machinery was about a quarter of that function's whole first event
(scripts/bench_cold_start.py: 100-136 ms of 443-461), where msgspec costs a few milliseconds. These
models only read AWS's own documents, so msgspec's checks (types, required fields, the path of a field
at fault) are all they need.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

TASK_STATE_CHANGE = "ECS Task State Change"
SERVICE_ACTION = "ECS Service Action"
DEPLOYMENT_STATE_CHANGE = "ECS Deployment State Change"
CONTAINER_INSTANCE_STATE_CHANGE = "ECS Container Instance State Change"
ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
EXECUTION_STATUS_CHANGE = "Step Functions Execution Status Change"


class _Detail(msgspec.Struct, rename="camel"):
    """An event's detail: AWS spells its fields in camelCase (required fields come first: msgspec's
    `kw_only` would not reach the subclasses' own fields)."""


class Event(msgspec.Struct, kw_only=True):
    """An EventBridge envelope whose ``time`` and ``region`` may be missing.

    The envelope is ours, not Powertools' ``EventBridgeModel``: that one is a pydantic model, and
    Powertools' parser package imports its whole parsing machinery with it, for ten fields that the
    EventBridge user guide documents (events-structure)."""

    version: str = "0"
    id: str
    source: str
    account: str = ""
    time: datetime | None = None
    region: str | None = None
    resources: list[str] = msgspec.field(default_factory=list)
    detail_type: str = msgspec.field(name="detail-type")
    detail: dict[str, Any] = msgspec.field(default_factory=dict)
    replay_name: str | None = msgspec.field(default=None, name="replay-name")

    @property
    def epoch(self) -> float | None:
        return self.time.timestamp() if self.time else None


# ECS Task State Change ---------------------------------------------------------------------------


class Container(_Detail):
    name: str = ""
    container_arn: str | None = None
    last_status: str | None = None
    exit_code: int | None = None
    reason: str | None = None
    image: str | None = None
    image_digest: str | None = None


class TaskStateChangeDetail(_Detail):
    task_arn: str
    cluster_arn: str = ""
    last_status: str | None = None
    desired_status: str | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    started_by: str | None = None
    group: str | None = None
    task_definition_arn: str | None = None
    version: int | None = None
    containers: list[Container] = msgspec.field(default_factory=list)
    launch_type: str | None = None
    capacity_provider_name: str | None = None
    availability_zone: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    stopping_at: datetime | None = None
    stopped_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def exit_codes(self) -> dict[str, int | None]:
        return {c.name: c.exit_code for c in self.containers}

    @property
    def task_id(self) -> str:
        return self.task_arn.rsplit("/", 1)[-1]


class TaskStateChange(Event):
    detail: TaskStateChangeDetail  # type: ignore[assignment]


# ECS Service Action ------------------------------------------------------------------------------


class ServiceActionDetail(_Detail):
    event_type: str = ""
    event_name: str = ""
    cluster_arn: str = ""
    reason: str | None = None
    created_at: datetime | None = None
    capacity_provider_arns: list[str] = msgspec.field(default_factory=list)
    container_instance_arns: list[str] = msgspec.field(default_factory=list)


class ServiceAction(Event):
    detail: ServiceActionDetail  # type: ignore[assignment]


# ECS Deployment State Change ---------------------------------------------------------------------


class DeploymentStateChangeDetail(_Detail):
    event_type: str = ""
    event_name: str = ""
    deployment_id: str | None = None
    reason: str | None = None
    updated_at: datetime | None = None


class DeploymentStateChange(Event):
    detail: DeploymentStateChangeDetail  # type: ignore[assignment]


# ECS Container Instance State Change (not subscribed; parsed so it can be recognised and dropped) -


class ContainerInstanceStateChangeDetail(_Detail):
    container_instance_arn: str = ""
    cluster_arn: str = ""
    status: str | None = None
    agent_connected: bool | None = None
    version: int | None = None


class ContainerInstanceStateChange(Event):
    detail: ContainerInstanceStateChangeDetail  # type: ignore[assignment]


# CloudWatch Alarm State Change -------------------------------------------------------------------


class AlarmState(_Detail):
    value: str = ""
    reason: str | None = None
    timestamp: datetime | None = None


class AlarmStateChangeDetail(_Detail):
    alarm_name: str
    state: AlarmState
    previous_state: AlarmState | None = None
    configuration: dict[str, Any] = msgspec.field(default_factory=dict)


class AlarmStateChange(Event):
    detail: AlarmStateChangeDetail  # type: ignore[assignment]


# Step Functions Execution Status Change ----------------------------------------------------------


class ExecutionStatusChangeDetail(_Detail):
    execution_arn: str
    status: str  # RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED (PENDING_REDRIVE too)
    state_machine_arn: str = ""
    name: str = ""
    input: str | None = None  # left out (inputDetails.included false) beyond EventBridge's size limit
    error: str | None = None
    cause: str | None = None
    start_date: int | None = None  # epoch milliseconds
    stop_date: int | None = None


class ExecutionStatusChange(Event):
    detail: ExecutionStatusChangeDetail  # type: ignore[assignment]


MODELS: dict[str, type[Event]] = {
    TASK_STATE_CHANGE: TaskStateChange,
    SERVICE_ACTION: ServiceAction,
    DEPLOYMENT_STATE_CHANGE: DeploymentStateChange,
    CONTAINER_INSTANCE_STATE_CHANGE: ContainerInstanceStateChange,
    ALARM_STATE_CHANGE: AlarmStateChange,
    EXECUTION_STATUS_CHANGE: ExecutionStatusChange,
}

AnyEvent = (
    TaskStateChange
    | ServiceAction
    | DeploymentStateChange
    | ContainerInstanceStateChange
    | AlarmStateChange
    | ExecutionStatusChange
    | Event
)


class UnparseableEventError(ValueError):
    """An event that is not the shape its detail-type promises; ``event_id`` names it when it has one."""

    def __init__(self, event_id: str | None, message: str) -> None:
        super().__init__(f"event {event_id or '(no id)'}: {message}")
        self.event_id = event_id


def parse_event(raw: Any) -> AnyEvent:
    """The typed event for ``raw``'s detail-type; a plain ``Event`` for detail-types we do not model.

    Raises ``UnparseableEventError`` (a ``ValueError``) naming the event id and the field at fault.
    """
    if not isinstance(raw, dict):
        raise UnparseableEventError(None, f"expected an EventBridge event object, got {type(raw).__name__}")
    model = MODELS.get(str(raw.get("detail-type", "")), Event)
    try:
        # strict=False: numbers and booleans written as strings are read as pydantic's lax mode did.
        return msgspec.convert(raw, model, strict=False)
    except msgspec.ValidationError as error:  # "Expected `str`, got `int` - at `$.detail.taskArn`"
        event_id = raw.get("id")
        raise UnparseableEventError(str(event_id) if event_id else None, str(error)) from error
