"""Scenario files: a simulated account (`world:`) and a timeline of operator actions.

    name: all-at-once
    world: {...}                 # see world/spec.py and the README's "Scenario files"
    timeline:
      - at: 1m                   # offset from the start: 90s, 5m, 1h30m
        deploy: {id: d1, application: web, images: {web: sample-app:v2}}
      - at: 20m
        scale: {service: web-blue, desired: 4}
    run_for: 2h                  # how long to simulate after the start
    expect:                      # optional: checked by `fargate-ops local run` (exit 1 if unmet)
      deploys: [{id: d1, status: SUCCEEDED, final_weights: [0, 100]}]

A bad file gets a `ScenarioError` naming the field and the line, before anything runs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fargate_ops_cli.local.concurrency import ConcurrencySpec
from fargate_ops_cli.local.world.spec import WorldSpec

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


class ScenarioError(ValueError):
    """A scenario file that cannot run; the message names the file, the field and the line."""


def parse_duration(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise ValueError("must not be negative")
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value.strip())
        if match and any(match.groups()):
            h, m, s = (int(g) if g else 0 for g in match.groups())
            return float(h * 3600 + m * 60 + s)
    raise ValueError(f"{value!r} is not a duration such as 90, 90s, 5m, 1h30m")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeployAction(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    application: str
    images: dict[str, str] | None = None
    task_definition: str | None = None
    strategy: dict[str, Any] | str = "all-at-once"
    slots: list[str] | None = None  # default: the world's two services of the application
    options: dict[str, Any] = Field(default_factory=dict)  # passed through to the deploy input

    @model_validator(mode="after")
    def _one_change(self) -> DeployAction:
        if (self.images is None) == (self.task_definition is None):
            raise ValueError("give exactly one of images or task_definition")
        return self


class ScaleAction(_Strict):
    service: str
    desired: int = Field(ge=0, le=1000)


class CleanupAction(_Strict):
    apply: bool = False
    keep_revisions: int | None = Field(default=None, ge=1)


class ImageBehaviourAction(_Strict):
    image: str
    behaviour: dict[str, Any]


class DeployControlAction(_Strict):
    deploy: str
    full: bool = False  # promote: skip every remaining step
    reason: str = ""  # abort: said in the rollback reason


class SendEventAction(_Strict):
    file: str | None = None
    event: dict[str, Any] | None = None
    times: int = Field(default=1, ge=1, le=100)  # the same event (same id) delivered this many times
    # Send it as ECS would for this service of the world: the world's ARNs, account, region, the time
    # now and a fresh id replace the file's (real AWS samples name other accounts and clusters).
    as_service: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SendEventAction:
        if (self.file is None) == (self.event is None):
            raise ValueError("give exactly one of file or event")
        return self


ACTION_KINDS = (
    "deploy",
    "scale",
    "cleanup",
    "image_behaviour",
    "promote",
    "approve",
    "abort",
    "rollback",
    "send_event",
    "note",
)


class Step(_Strict):
    at: float
    deploy: DeployAction | None = None
    scale: ScaleAction | None = None
    cleanup: CleanupAction | None = None
    image_behaviour: ImageBehaviourAction | None = None
    promote: DeployControlAction | None = None
    approve: DeployControlAction | None = None
    abort: DeployControlAction | None = None
    rollback: DeployControlAction | None = None
    send_event: SendEventAction | None = None
    note: str | None = None

    @field_validator("at", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return parse_duration(value)

    @model_validator(mode="after")
    def _exactly_one_action(self) -> Step:
        given = [k for k in ACTION_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"each timeline step takes exactly one action of {', '.join(ACTION_KINDS)};"
                f" got {given or 'none'}"
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ACTION_KINDS if getattr(self, k) is not None)

    @property
    def action(self) -> Any:
        return getattr(self, self.kind)


class ExpectedDeploy(_Strict):
    id: str
    status: Literal["SUCCEEDED", "ROLLED_BACK", "FAILED", "REJECTED", "RUNNING"]
    final_weights: list[int] | None = None
    reason_contains: str | None = None
    # green's weight at each change of the listener's weights, in order (e.g. canary: [10, 100])
    green_weights: list[int] | None = None
    analysis: list[Literal["pass", "fail", "skipped"]] | None = None  # each analysed step's verdict
    error: str | None = None  # the execution's error name (DeployRolledBack, LeaseHeldError, ...)
    max_state_transitions: int | None = Field(default=None, ge=1)


class ExpectedNotifications(_Strict):
    """How many published notifications match (case-insensitive subject text, exact text of the JSON body)."""

    subject_contains: str | None = None
    body_contains: str | None = None
    count: int = Field(ge=0)


class ExpectedService(_Strict):
    name: str
    desired: int | None = None
    running: int | None = None


class Expectations(_Strict):
    deploys: list[ExpectedDeploy] = Field(default_factory=list)
    services: list[ExpectedService] = Field(default_factory=list)
    notifications: int | None = None
    notifications_matching: list[ExpectedNotifications] = Field(default_factory=list)
    invariants_hold: bool = True
    iam_denials: int = Field(default=0, ge=0)  # calls the local IAM check refuses (AWS would too)


class EventDelivery(_Strict):
    """EventBridge's at-least-once, unordered delivery, on purpose: each event the world emits arrives
    `copies` times (same id), each copy after a random delay of up to `max_delay_seconds` (seeded)."""

    copies: int = Field(default=1, ge=1, le=5)
    max_delay_seconds: float = Field(default=0.0, ge=0, le=3600)
    seed: int = 0
    detail_types: list[str] | None = None  # only these (default: every detail-type)


class ThrottleFault(_Strict):
    """Throttle a share of the application's calls to one AWS service, deterministically: of every ten
    calls (counted per service, shifted by `seed`), the first `rate * 10` get ThrottlingException."""

    service: str = "ecs"  # botocore's service name: ecs, elbv2, dynamodb, ...
    rate: float = Field(gt=0, lt=1)
    seed: int = Field(default=0, ge=0)


class FailStepFault(_Strict):
    """The deploy step Lambda fails (an unhandled error) before running `step`, `times` times or always."""

    step: str
    times: int | Literal["always"] = 1


class Faults(_Strict):
    throttle: ThrottleFault | None = None
    fail_step: FailStepFault | None = None


class Scenario(_Strict):
    name: str
    description: str = ""
    start: str = "2026-01-05T09:00:00Z"
    world: WorldSpec
    timeline: list[Step] = Field(default_factory=list)
    run_for: float = 3600.0
    expect: Expectations | None = None
    event_delivery: EventDelivery | None = None
    faults: Faults | None = None  # injected into the application's AWS calls and Lambda invocations
    # parallel deliveries and lagging reads, as in AWS (off: sequential and the same every run)
    concurrency: ConcurrencySpec | None = None

    @field_validator("run_for", mode="before")
    @classmethod
    def _run_for(cls, value: Any) -> float:
        return parse_duration(value)

    @model_validator(mode="after")
    def _timeline_fits(self) -> Scenario:
        for step in self.timeline:
            if step.at > self.run_for:
                raise ValueError(f"a step at {step.at:g}s is after run_for ({self.run_for:g}s)")
        return self


def load(path: Path) -> Scenario:
    try:
        text = path.read_text()
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error.strerror}") from error
    return loads(text, str(path))


def loads(text: str, source: str = "<scenario>") -> Scenario:
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{source}:{where} not valid YAML: {getattr(error, 'problem', error)}") from error
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario is a mapping with name, world and timeline")
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            loc = [str(p) for p in problem["loc"]]
            line = _line_of(node, problem["loc"])
            field = ".".join(loc) or "(top level)"
            lines.append(f"{source}:{line}: {field}: {problem['msg']}")
        raise ScenarioError("\n".join(lines)) from None


def _line_of(node: Any, loc: tuple[Any, ...]) -> int:
    """The line of the deepest YAML node that `loc` reaches (pydantic paths follow the YAML tree)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            if match is None:
                break
            key_node = next(k for k, v in node.value if k.value == part)
            line = key_node.start_mark.line + 1
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
