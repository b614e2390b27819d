"""The deploy input (validated once, by the plan step) and the deploy document the steps pass along."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fargate_ops.domain import traffic
from fargate_ops.errors import DeployInputError

NAME = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}$"
LISTENER_ARN = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener(-rule)?/.+")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Change(_Strict):
    """What the deploy changes: new images for named containers, or a whole task definition."""

    images: dict[str, Annotated[str, Field(min_length=1)]] | None = None
    task_definition: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Change:
        if (self.images is None) == (self.task_definition is None):
            raise ValueError("give exactly one of images or task_definition")
        if self.images is not None and not self.images:
            raise ValueError("images must name at least one container")
        return self


class StepSpec(_Strict):
    weight: Annotated[int, Field(ge=1, le=100)]
    bake_seconds: Annotated[int, Field(ge=0)] = 0


class AllAtOnce(_Strict):
    type: Literal["all-at-once"] = "all-at-once"

    def plan(self) -> traffic.TrafficPlan:
        return traffic.all_at_once()


class Canary(_Strict):
    type: Literal["canary"]
    percent: Annotated[int, Field(ge=1, le=99)]
    bake_seconds: Annotated[int, Field(ge=0)]

    def plan(self) -> traffic.TrafficPlan:
        return traffic.canary(self.percent, self.bake_seconds)


class Linear(_Strict):
    type: Literal["linear"]
    step_percent: Annotated[int, Field(ge=1, le=99)]
    bake_seconds: Annotated[int, Field(ge=0)]

    def plan(self) -> traffic.TrafficPlan:
        return traffic.linear(self.step_percent, self.bake_seconds)


class Steps(_Strict):
    type: Literal["steps"]
    steps: Annotated[list[StepSpec], Field(min_length=1)]

    def plan(self) -> traffic.TrafficPlan:
        return traffic.custom([(s.weight, s.bake_seconds) for s in self.steps])

    @model_validator(mode="after")
    def _valid_plan(self) -> Steps:
        try:
            self.plan()
        except traffic.InvalidPlanError as err:
            raise ValueError(str(err)) from None
        return self


Strategy = Annotated[AllAtOnce | Canary | Linear | Steps, Field(discriminator="type")]


class DeployInput(_Strict):
    """What starts a deploy (the execution input)."""

    deploy_id: Annotated[str, Field(pattern=NAME, max_length=80)]
    cluster: Annotated[str, Field(pattern=NAME)]
    application: Annotated[str, Field(pattern=NAME, max_length=100)]
    slots: list[Annotated[str, Field(pattern=NAME)]] | None = None
    listener_arn: str | None = None
    change: Change
    strategy: Strategy = Field(default_factory=AllAtOnce)
    readiness_timeout_seconds: Annotated[int, Field(ge=30, le=86_400)] = 600
    rollback_window_seconds: Annotated[int, Field(ge=0, le=86_400)] = 300
    description: Annotated[str, Field(max_length=1000)] | None = None

    @field_validator("slots")
    @classmethod
    def _two_distinct_slots(cls, slots: list[str] | None) -> list[str] | None:
        if slots is not None and (len(slots) != 2 or slots[0] == slots[1]):
            raise ValueError("an application has exactly two distinct slot services")
        return slots

    @field_validator("listener_arn")
    @classmethod
    def _listener_arn(cls, arn: str | None) -> str | None:
        if arn is not None and not LISTENER_ARN.match(arn):
            raise ValueError("must be an ELBv2 listener or listener-rule ARN")
        return arn


class SlotState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    service: str
    service_arn: str = ""
    target_group_arn: str
    task_definition: str | None = None
    desired_count: int | None = None


class Failure(BaseModel):
    """``$states.errorOutput`` as a Catch hands it over."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    error: str | None = Field(default=None, alias="Error")
    cause: str | None = Field(default=None, alias="Cause")


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
    weights: dict[str, int] | None = None
    lease_expires_at: float | None = None
    started_at: str | None = None
    green_updated_at: float | None = None
    green_ready: dict[str, Any] | None = None
    failure: Failure | None = None
    rollback_reason: dict[str, Any] | None = None
    old_scaled_down: bool | None = None
    notes: list[str] = Field(default_factory=list)

    def traffic_plan(self) -> traffic.TrafficPlan:
        return traffic.TrafficPlan(tuple(traffic.TrafficStep(s.weight, s.bake_seconds) for s in self.steps))

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
    return location, str(first.get("msg", "invalid"))


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
