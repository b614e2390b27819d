"""The deploy input (validated once, by the plan step) and the deploy document the steps pass along."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fargate_ops.domain import traffic
from fargate_ops.domain.analysis import (
    DEFAULT_METRICS_WAIT_SECONDS,
    MAX_METRICS_WAIT_SECONDS,
    InconclusivePolicy,
    Thresholds,
)
from fargate_ops.domain.strategy import InvalidStrategyError, parse_strategy
from fargate_ops.errors import DeployInputError

NAME = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}$"
# The deploy id names the Step Functions execution: at most 80 characters, and no ':' (nor whitespace,
# brackets, wildcards or most punctuation), or StartExecution refuses it with InvalidName.
DEPLOY_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
ALARM_NAME = r"^[^\x00-\x1f]{1,255}$"
LISTENER_ARN = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener(-rule)?/app/.+")
LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$"
)
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
MAX_ALARMS = 100  # DescribeAlarms takes 100 names per call
BEFORE_TRAFFIC = "before_traffic"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Change(_Strict):
    """What the deploy changes: new images and/or environment per container, or a whole task definition.

    ``environment`` maps a container to variables to set (a ``null`` value removes the variable).
    """

    images: dict[str, Annotated[str, Field(min_length=1)]] | None = None
    environment: dict[str, dict[Annotated[str, Field(min_length=1)], str | None]] | None = None
    task_definition: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Change:
        derived = self.images is not None or self.environment is not None
        if derived == (self.task_definition is not None):
            raise ValueError("give images and/or environment, or a task_definition (exactly one kind)")
        if self.images is not None and not self.images:
            raise ValueError("images must name at least one container")
        if self.environment is not None and not self.environment:
            raise ValueError("environment must name at least one container")
        return self


class StepSpec(_Strict):
    """One planned traffic step, as the record and the state machine see it."""

    percent: Annotated[int, Field(ge=1, le=100)]
    bake_seconds: Annotated[int, Field(ge=0)] = 0
    gate: Literal["approval"] | None = None


class AnalysisSpec(_Strict):
    """Green-vs-blue thresholds checked after each bake, how long to wait for the bake's metrics, and what
    an inconclusive step does (see domain/analysis.py)."""

    max_5xx_rate_delta: Annotated[float, Field(ge=0, le=1)] | None = None
    max_latency_ratio: Annotated[float, Field(ge=1, le=1000)] | None = None
    min_requests: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    metrics_wait_seconds: Annotated[int, Field(ge=0, le=MAX_METRICS_WAIT_SECONDS)] = (
        DEFAULT_METRICS_WAIT_SECONDS
    )
    # fail: never go on with a step nobody saw (roll back); pause: an approval gate; pass: go on anyway.
    inconclusive: InconclusivePolicy = "fail"

    @model_validator(mode="after")
    def _some_threshold(self) -> AnalysisSpec:
        if self.max_5xx_rate_delta is None and self.max_latency_ratio is None:
            raise ValueError("give max_5xx_rate_delta and/or max_latency_ratio")
        return self

    def thresholds(self) -> Thresholds:
        return Thresholds(self.max_5xx_rate_delta, self.max_latency_ratio, self.min_requests)


class DeployInput(_Strict):
    """What starts a deploy (the execution input)."""

    deploy_id: Annotated[str, Field(pattern=DEPLOY_ID)]
    cluster: Annotated[str, Field(pattern=NAME)]
    application: Annotated[str, Field(pattern=NAME, max_length=100)]
    slots: list[Annotated[str, Field(pattern=NAME)]] | None = None
    adopt: bool = False
    listener_arn: str | None = None
    change: Change
    strategy: dict[str, Any] = Field(default_factory=lambda: {"type": "all-at-once"})
    readiness_timeout_seconds: Annotated[int, Field(ge=30, le=86_400)] = 600
    rollback_window_seconds: Annotated[int, Field(ge=0, le=86_400)] = 300
    alarms: Annotated[list[Annotated[str, Field(pattern=ALARM_NAME)]], Field(max_length=MAX_ALARMS)] = Field(
        default_factory=list
    )
    ignore_alarms: bool = False
    analysis: AnalysisSpec | None = None
    approval: Literal["before_traffic"] | None = None
    approval_timeout_seconds: Annotated[int, Field(ge=60, le=7 * 86_400)] = 86_400
    scale_with_traffic: bool = False
    test_listener_arn: str | None = None
    validation_hook: str | None = None
    notification_topic: str | None = None
    description: Annotated[str, Field(max_length=1000)] | None = None

    @field_validator("strategy", mode="before")
    @classmethod
    def _strategy(cls, raw: Any) -> dict[str, Any]:
        try:
            normalized, _ = parse_strategy(raw)
        except InvalidStrategyError as err:
            raise ValueError(str(err)) from None
        return normalized

    @field_validator("slots")
    @classmethod
    def _slots(cls, slots: list[str] | None) -> list[str] | None:
        if slots is not None and (not 1 <= len(slots) <= 2 or len(set(slots)) != len(slots)):
            raise ValueError("an application has two distinct slot services (or one, to adopt it)")
        return slots

    @field_validator("alarms")
    @classmethod
    def _distinct_alarms(cls, alarms: list[str]) -> list[str]:
        if len(set(alarms)) != len(alarms):
            raise ValueError("each alarm is named once")
        return alarms

    @field_validator("listener_arn", "test_listener_arn")
    @classmethod
    def _listener_arn(cls, arn: str | None) -> str | None:
        if arn is not None and not LISTENER_ARN.match(arn):
            raise ValueError("must be an application load balancer listener or listener-rule ARN")
        return arn

    @field_validator("validation_hook")
    @classmethod
    def _lambda_arn(cls, arn: str | None) -> str | None:
        if arn is not None and not LAMBDA_ARN.match(arn):
            raise ValueError("must be a Lambda function ARN")
        return arn

    @field_validator("notification_topic")
    @classmethod
    def _topic_arn(cls, arn: str | None) -> str | None:
        if arn is not None and not TOPIC_ARN.match(arn):
            raise ValueError("must be an SNS topic ARN")
        return arn

    @model_validator(mode="after")
    def _consistent(self) -> DeployInput:
        if self.test_listener_arn is not None and self.test_listener_arn == self.listener_arn:
            raise ValueError("test_listener_arn must differ from listener_arn (production traffic)")
        return self

    def traffic_plan(self) -> traffic.TrafficPlan:
        """The planned steps, with the approval gate before production traffic when asked for."""
        _, plan = parse_strategy(self.strategy)
        return plan.with_first_gate() if self.approval == BEFORE_TRAFFIC else plan

    @property
    def wants_adoption(self) -> bool:
        return self.adopt or (self.slots is not None and len(self.slots) == 1)


class SlotState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    service: str
    service_arn: str = ""
    target_group_arn: str
    task_definition: str | None = None
    desired_count: int | None = None


class Failure(BaseModel):
    """``$states.errorOutput`` as a Catch hands it over (plus the state that failed)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    error: str | None = Field(default=None, alias="Error")
    cause: str | None = Field(default=None, alias="Cause")
    state: str | None = Field(default=None, alias="State")


class DeployDocument(DeployInput):
    """The state of one deploy as it flows through the state machine; every step returns it updated."""

    model_config = ConfigDict(extra="ignore", frozen=False)

    execution: str = ""
    status: str | None = None
    steps: list[StepSpec] = Field(default_factory=list)
    step_index: int = 0
    live: SlotState | None = None
    green: SlotState | None = None
    new_application: bool = False
    adopt_create: bool = False
    weights: dict[str, int] | None = None
    test_weights: dict[str, int] | None = None  # the test listener's weights before the deploy
    # The listener's (or rule's) actions as plan read them, then as each shift left them. Each shift
    # reads the live ones again and stops if their forward is not what the deploy last wrote (these
    # target groups, the slots' weights from the record's weight history): deploy/listener_guard.py.
    listener_actions: list[dict[str, Any]] | None = None
    lease_expires_at: float | None = None
    started_at: str | None = None
    green_updated_at: float | None = None
    green_ready: dict[str, Any] | None = None
    step_started_at: float | None = None
    pending_ready: bool = False
    bake_result: dict[str, Any] | None = None
    window_result: dict[str, Any] | None = None
    analysis_results: list[dict[str, Any]] = Field(default_factory=list)
    # An inconclusive analysis under the `pause` policy: NextStep sends the deploy to AwaitApproval
    # before the next step's traffic ({step_index, reason}); the next shift clears it.
    pause: dict[str, Any] | None = None
    failure: Failure | None = None
    rollback_failure: Failure | None = None  # what made Rollback give up (its Catch hands it over)
    rollback_reason: dict[str, Any] | None = None
    old_scaled_down: bool | None = None
    # The live slot's scaling schedule (its opt-in tag) when green was scaled up: green was sized from
    # it, and the deploy's end runs the reconciler so the new live slot holds it (deploy/schedule.py).
    schedule: str | None = None
    notes: list[str] = Field(default_factory=list)

    def traffic_plan(self) -> traffic.TrafficPlan:
        return traffic.TrafficPlan(
            tuple(traffic.TrafficStep(s.percent, s.bake_seconds, s.gate) for s in self.steps)
        )

    def current_step(self) -> StepSpec:
        if not 0 <= self.step_index < len(self.steps):
            raise DeployInputError(
                "step_index", f"{self.step_index} is outside a plan of {len(self.steps)} steps"
            )
        return self.steps[self.step_index]

    def require_slots(self) -> tuple[SlotState, SlotState]:
        """``(live, green)``, which every step after plan relies on."""
        if self.live is None or self.green is None:
            raise DeployInputError("deploy", "the document has no planned slots (the plan step did not run)")
        return self.live, self.green

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _field_of(err: ValidationError) -> tuple[str, str]:
    first = err.errors()[0]
    location = ".".join(str(part) for part in first.get("loc", ())) or "deploy"
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    # A strategy error names its own sub-field ("strategy.steps.2.percent: ...").
    if location == "strategy" and message.startswith("strategy"):
        location, _, message = message.partition(": ")
    return location, message


def parse_input(raw: Any) -> DeployInput:
    """The validated deploy input; DeployInputError names the first bad field."""
    try:
        return DeployInput.model_validate(raw)
    except ValidationError as err:
        raise DeployInputError(*_field_of(err)) from None


def parse_document(raw: Any) -> DeployDocument:
    try:
        return DeployDocument.model_validate(raw)
    except ValidationError as err:
        raise DeployInputError(*_field_of(err)) from None
