"""The deploy input (validated once, by the plan step) and the deploy document the steps pass along.

msgspec structs, as the event models are (models/events.py): every deploy step starts by reading its
document, and the first one (plan) paid pydantic's import and the building of these models, most of
the deploy function's cold start above a bare boto3 client (scripts/bench_cold_start.py). The rules
pydantic's validators held are each struct's ``__post_init__`` (msgspec calls it after decoding, and
on construction); a rule about one field raises ``FieldError`` so that the error names it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta
from msgspec.structs import force_setattr

from fargate_ops.domain import traffic
from fargate_ops.domain.analysis import (
    DEFAULT_METRICS_WAIT_SECONDS,
    MAX_METRICS_WAIT_SECONDS,
    InconclusivePolicy,
    Thresholds,
)
from fargate_ops.domain.strategy import InvalidStrategyError, parse_strategy
from fargate_ops.errors import DeployInputError
from fargate_ops.models.structs import FieldError, convert, dump

# msgspec checks a pattern with re.search, where "$" also matches before a final newline: "\Z" holds
# "web\n" out as pydantic's (Rust) regex did.
NAME = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}\Z"
# The deploy id names the Step Functions execution: at most 80 characters, and no ':' (nor whitespace,
# brackets, wildcards or most punctuation), or StartExecution refuses it with InvalidName.
DEPLOY_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}\Z"
ALARM_NAME = r"^[^\x00-\x1f]{1,255}\Z"
LISTENER_ARN = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener(-rule)?/app/.+")
LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?\Z"
)
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?\Z")
MAX_ALARMS = 100  # DescribeAlarms takes 100 names per call
BEFORE_TRAFFIC = "before_traffic"

Name = Annotated[str, Meta(pattern=NAME)]
NonEmpty = Annotated[str, Meta(min_length=1)]
# The ARN fields' checks, by field name (read with getattr: tests/unit/test_deploy_input_fields.py
# counts an attribute read here as a step reading the field).
ARN_FIELDS = (
    ("listener_arn", LISTENER_ARN, "must be an application load balancer listener or listener-rule ARN"),
    ("test_listener_arn", LISTENER_ARN, "must be an application load balancer listener or listener-rule ARN"),
    ("validation_hook", LAMBDA_ARN, "must be a Lambda function ARN"),
    ("notification_topic", TOPIC_ARN, "must be an SNS topic ARN"),
)


class Change(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """What the deploy changes: new images and/or environment per container, or a whole task definition.

    ``environment`` maps a container to variables to set (a ``null`` value removes the variable).
    """

    # Values (and keys) are checked in __post_init__: msgspec's error path does not name a dict's key.
    images: dict[str, str] | None = None
    environment: dict[str, dict[str, str | None]] | None = None
    task_definition: NonEmpty | None = None

    def __post_init__(self) -> None:
        derived = self.images is not None or self.environment is not None
        if derived == (self.task_definition is not None):
            raise FieldError("", "give images and/or environment, or a task_definition (exactly one kind)")
        if self.images is not None and not self.images:
            raise FieldError("", "images must name at least one container")
        if self.environment is not None and not self.environment:
            raise FieldError("", "environment must name at least one container")
        for container, image in (self.images or {}).items():
            if not image:
                raise FieldError(f"images.{container}", "String should have at least 1 character")
        for container, variables in (self.environment or {}).items():
            if "" in variables:
                raise FieldError(f"environment.{container}", "a variable name must not be empty")


class StepSpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One planned traffic step, as the record and the state machine see it."""

    percent: Annotated[int, Meta(ge=1, le=100)]
    bake_seconds: Annotated[int, Meta(ge=0)] = 0
    gate: Literal["approval"] | None = None


class AnalysisSpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Green-vs-blue thresholds checked after each bake, how long to wait for the bake's metrics, and what
    an inconclusive step does (see domain/analysis.py)."""

    max_5xx_rate_delta: Annotated[float, Meta(ge=0, le=1)] | None = None
    max_latency_ratio: Annotated[float, Meta(ge=1, le=1000)] | None = None
    min_requests: Annotated[int, Meta(ge=0, le=10_000_000)] = 0
    metrics_wait_seconds: Annotated[int, Meta(ge=0, le=MAX_METRICS_WAIT_SECONDS)] = (
        DEFAULT_METRICS_WAIT_SECONDS
    )
    # fail: never go on with a step nobody saw (roll back); pause: an approval gate; pass: go on anyway.
    inconclusive: InconclusivePolicy = "fail"

    def __post_init__(self) -> None:
        if self.max_5xx_rate_delta is None and self.max_latency_ratio is None:
            raise FieldError("", "give max_5xx_rate_delta and/or max_latency_ratio")

    def thresholds(self) -> Thresholds:
        return Thresholds(self.max_5xx_rate_delta, self.max_latency_ratio, self.min_requests)


class DeployInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """What starts a deploy (the execution input)."""

    deploy_id: Annotated[str, Meta(pattern=DEPLOY_ID)]
    cluster: Name
    application: Annotated[str, Meta(pattern=NAME, max_length=100)]
    slots: list[Name] | None = None
    adopt: bool = False
    listener_arn: str | None = None
    change: Change
    # As written (a preset name or a mapping), then the normalized mapping (__post_init__).
    strategy: Any = msgspec.field(default_factory=lambda: {"type": "all-at-once"})
    readiness_timeout_seconds: Annotated[int, Meta(ge=30, le=86_400)] = 600
    rollback_window_seconds: Annotated[int, Meta(ge=0, le=86_400)] = 300
    alarms: Annotated[list[Annotated[str, Meta(pattern=ALARM_NAME)]], Meta(max_length=MAX_ALARMS)] = []
    ignore_alarms: bool = False
    analysis: AnalysisSpec | None = None
    approval: Literal["before_traffic"] | None = None
    approval_timeout_seconds: Annotated[int, Meta(ge=60, le=7 * 86_400)] = 86_400
    scale_with_traffic: bool = False
    test_listener_arn: str | None = None
    validation_hook: str | None = None
    notification_topic: str | None = None
    description: Annotated[str, Meta(max_length=1000)] | None = None

    def __post_init__(self) -> None:
        # In the fields' order, as pydantic's field validators ran (msgspec has checked the types).
        if self.slots is not None and (
            not 1 <= len(self.slots) <= 2 or len(set(self.slots)) != len(self.slots)
        ):
            raise FieldError("slots", "an application has two distinct slot services (or one, to adopt it)")
        try:
            normalized, _ = parse_strategy(self.strategy)
        except InvalidStrategyError as err:  # names its own sub-field: strategy.steps.2.percent
            raise FieldError(err.field, err.message) from None
        force_setattr(self, "strategy", normalized)  # frozen: the one field normalized after decoding
        if len(set(self.alarms)) != len(self.alarms):
            raise FieldError("alarms", "each alarm is named once")
        for field, pattern, problem in ARN_FIELDS:
            arn = getattr(self, field)
            if arn is not None and not pattern.match(arn):
                raise FieldError(field, problem)
        if self.test_listener_arn is not None and self.test_listener_arn == self.listener_arn:
            raise FieldError("", "test_listener_arn must differ from listener_arn (production traffic)")

    def traffic_plan(self) -> traffic.TrafficPlan:
        """The planned steps, with the approval gate before production traffic when asked for."""
        _, plan = parse_strategy(self.strategy)
        return plan.with_first_gate() if self.approval == BEFORE_TRAFFIC else plan

    @property
    def wants_adoption(self) -> bool:
        return self.adopt or (self.slots is not None and len(self.slots) == 1)


class SlotState(msgspec.Struct, kw_only=True):
    service: str
    service_arn: str = ""
    target_group_arn: str
    task_definition: str | None = None
    desired_count: int | None = None


class Failure(msgspec.Struct, kw_only=True):
    """``$states.errorOutput`` as a Catch hands it over (plus the state that failed).

    Read and written in the state machine's spelling (``Error``); Python code names the attributes."""

    error: str | None = msgspec.field(default=None, name="Error")
    cause: str | None = msgspec.field(default=None, name="Cause")
    state: str | None = msgspec.field(default=None, name="State")


# Steps update the document in place: msgspec lets a subclass thaw a frozen struct; mypy's dataclass
# rules do not (misc). Unknown fields are ignored: the state machine adds its own.
class DeployDocument(DeployInput, frozen=False, forbid_unknown_fields=False, kw_only=True):  # type: ignore[misc]
    """The state of one deploy as it flows through the state machine; every step returns it updated."""

    execution: str = ""
    status: str | None = None
    steps: list[StepSpec] = []
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
    analysis_results: list[dict[str, Any]] = []
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
    notes: list[str] = []

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
        dumped: dict[str, Any] = dump(self)
        return dumped


def _input_error(field: str, message: str) -> DeployInputError:
    return DeployInputError(field or "deploy", message)


def parse_input(raw: Any) -> DeployInput:
    """The validated deploy input; DeployInputError names the first bad field."""
    return convert(raw, DeployInput, _input_error)


def parse_document(raw: Any) -> DeployDocument:
    return convert(raw, DeployDocument, _input_error)
