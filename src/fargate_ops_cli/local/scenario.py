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
from fargate_ops_cli.local.scaling_spec import ExpectedCapacity, ScalingSpec
from fargate_ops_cli.local.world.listener_spec import ActionSpec, SpecReferenceError
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
    # per container, variables to set (null removes one): alone, an environment-only change
    environment: dict[str, dict[str, str | None]] | None = None
    task_definition: str | None = None
    strategy: dict[str, Any] | str = "all-at-once"
    slots: list[str] | None = None  # default: the world's two services of the application
    validation_hook: str | None = None  # a world hook's name (or a Lambda ARN)
    options: dict[str, Any] = Field(default_factory=dict)  # passed through to the deploy input

    @model_validator(mode="after")
    def _one_change(self) -> DeployAction:
        derived = self.images is not None or self.environment is not None
        if derived == (self.task_definition is not None):
            raise ValueError("give images and/or environment, or a task_definition")
        return self

    def change(self) -> dict[str, Any]:
        if self.task_definition is not None:
            return {"task_definition": self.task_definition}
        change: dict[str, Any] = {}
        if self.images is not None:
            change["images"] = self.images
        if self.environment is not None:
            change["environment"] = self.environment
        return change


class ScaleAction(_Strict):
    service: str
    desired: int = Field(ge=0, le=1000)


class CleanupAction(_Strict):
    apply: bool = False
    keep_revisions: int | None = Field(default=None, ge=1)
    kinds: list[str] | None = None  # default: the template's CleanupKinds
    clusters: list[str] | None = None  # default: the world's cluster
    resume: bool = False  # pass the last run's continue_token (a run that ran out of time)


class ThirdPartyCallAction(_Strict):
    """Any AWS call a third party makes on the account (as the world: not the application's, not checked
    by IAM): a rule or schedule that runs a task, a service in another cluster, an image pushed."""

    service: str
    operation: str  # botocore's snake_case name: put_rule, create_schedule, register_task_definition
    params: dict[str, Any] = Field(default_factory=dict)
    times: int = Field(default=1, ge=1, le=1000)


class ImageBehaviourAction(_Strict):
    image: str
    behaviour: dict[str, Any]


class SpotInterruptionAction(_Strict):
    """Fargate Spot reclaims the service's oldest RUNNING tasks: a termination notice, two minutes, gone."""

    service: str
    tasks: int = Field(default=1, ge=1, le=1000)


class DeployControlAction(_Strict):
    deploy: str
    full: bool = False  # promote: skip every remaining step
    reason: str = ""  # abort: said in the rollback reason


class RecoverAction(_Strict):
    """`fargate-ops recover DEPLOY [--apply]` in a timeline (the same operation the verb runs)."""

    deploy: str
    apply: bool = True


class SendEventAction(_Strict):
    file: str | None = None
    event: dict[str, Any] | None = None
    times: int = Field(default=1, ge=1, le=100)  # the same event (same id) delivered this many times
    # Send it as ECS would for this service of the world: the world's ARNs, account, region, the time
    # now and a fresh id replace the file's (real AWS samples name other accounts and clusters).
    as_service: str | None = None
    # An event from elsewhere (as a cross-account or cross-region rule forwards it): the envelope's
    # account/region and those of every ARN in it are rewritten to these, after as_service.
    account: str | None = Field(default=None, pattern=r"^\d{12}$")
    region: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")

    @model_validator(mode="after")
    def _one_source(self) -> SendEventAction:
        if (self.file is None) == (self.event is None):
            raise ValueError("give exactly one of file or event")
        return self


class EditListenerAction(ActionSpec):
    """A third party changes a listener's default action or a rule's actions (ModifyListener /
    ModifyRule, as the world: not the application's calls): `forward` or `fixed_response`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str | None = None  # a rule's name
    listener: int | None = None  # a listener's port: its default action

    @model_validator(mode="after")
    def _one_route(self) -> EditListenerAction:
        if (self.rule is None) == (self.listener is None):
            raise ValueError("give exactly one of rule (a rule's name) or listener (a listener's port)")
        return self

    @property
    def route(self) -> str:
        return f"rule {self.rule}" if self.rule is not None else f"listener {self.listener}"


class ForgeStepAction(_Strict):
    """Someone invokes the deploy-step function directly with a document of their own (as anyone allowed
    lambda:InvokeFunction could): `document` is its fields; `route` ("rule api", "listener 80") fills
    listener_arn, `slots` ([live, green]) fill live and green from the world's services."""

    step: str
    document: dict[str, Any]
    route: str | None = None
    slots: list[str] | None = Field(default=None, min_length=2, max_length=2)


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
    "edit_listener",
    "note",
    "spot_interruption",
    "recover",
    "stop_execution",
    "forge_step",
    "third_party_call",
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
    edit_listener: EditListenerAction | None = None
    note: str | None = None
    spot_interruption: SpotInterruptionAction | None = None
    recover: RecoverAction | None = None
    # StopExecution on the deploy's execution, as someone in the console would (reason: its cause)
    stop_execution: DeployControlAction | None = None
    forge_step: ForgeStepAction | None = None
    third_party_call: ThirdPartyCallAction | None = None

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
    status: Literal["SUCCEEDED", "ROLLED_BACK", "FAILED", "ROLLBACK_FAILED", "REJECTED", "RUNNING"]
    final_weights: list[int] | None = None
    reason_contains: str | None = None
    # green's weight at each change of the listener's weights, in order (e.g. canary: [10, 100])
    green_weights: list[int] | None = None
    analysis: list[Literal["pass", "fail", "skipped", "inconclusive"]] | None = (
        None  # each analysed step's verdict
    )
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


class ExpectedCleanup(_Strict):
    """What the n-th cleanup run (1-based) planned and did; resources by short name (web-blue:1)."""

    run: int = Field(ge=1)
    marked: list[str] | None = None  # exactly these marked
    deleted: list[str] | None = None  # exactly these deleted
    kept: list[str] = Field(default_factory=list)  # at least these kept
    kept_because: dict[str, str] = Field(default_factory=dict)  # a kept one's reasons contain this
    absent: list[str] = Field(default_factory=list)  # found nowhere in the plan: gone from the account
    refused_contains: str | None = None
    complete: bool | None = None
    changed: int | None = None  # how many writes it made (0: changed nothing)


class Expectations(_Strict):
    deploys: list[ExpectedDeploy] = Field(default_factory=list)
    services: list[ExpectedService] = Field(default_factory=list)
    notifications: int | None = None
    notifications_matching: list[ExpectedNotifications] = Field(default_factory=list)
    invariants_hold: bool = True
    iam_denials: int = Field(default=0, ge=0)  # calls the local IAM check refuses (AWS would too)
    capacities: list[ExpectedCapacity] = Field(default_factory=list)  # scaling_spec.py
    cleanups: list[ExpectedCleanup] = Field(default_factory=list)


class EventDelivery(_Strict):
    """EventBridge's at-least-once, unordered delivery, on purpose: each event the world emits arrives
    `copies` times (same id), each copy after a random delay of up to `max_delay_seconds` (seeded)."""

    copies: int = Field(default=1, ge=1, le=5)
    max_delay_seconds: float = Field(default=0.0, ge=0, le=3600)
    seed: int = 0
    detail_types: list[str] | None = None  # only these (default: every detail-type)


class ThrottleFault(_Strict):
    """Throttle a share of the application's calls to one AWS service, deterministically: of every ten
    calls (counted per service, shifted by `seed`), the first `rate * 10` get ThrottlingException. Or,
    with `times`, the first `times` calls (of `operation`, if given: botocore's name, SendTaskFailure)."""

    service: str = "ecs"  # botocore's service name: ecs, elbv2, dynamodb, stepfunctions...
    rate: float | None = Field(default=None, gt=0, lt=1)
    seed: int = Field(default=0, ge=0)
    operation: str | None = None
    times: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _rate_or_times(self) -> ThrottleFault:
        if (self.rate is None) == (self.times is None):
            raise ValueError("give rate (a share of the calls) or times (the first calls), not both")
        return self


class FailStepFault(_Strict):
    """The deploy step Lambda fails (an unhandled error) before running `step`, `times` times or always.

    `error` is the error's name as Step Functions sees it: by default an unexpected one (not retried);
    `TransientError` or `ThrottlingError` is what the adapters raise for a 5xx or throttled call.
    """

    step: str
    times: int | Literal["always"] = 1
    error: str = Field(default="InjectedFaultError", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


class UnprocessedFault(_Strict):
    """Each of the application's BatchWriteItem calls writes only its first `items_per_call` requests
    and hands back the others as UnprocessedItems, as AWS does under throttling."""

    items_per_call: int = Field(ge=1, le=24)


class Faults(_Strict):
    throttle: ThrottleFault | None = None
    fail_step: FailStepFault | None = None
    unprocessed: UnprocessedFault | None = None


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
    scaling: ScalingSpec | None = None  # schedules, overrides, missed runs (scaling_spec.py)
    # template parameters the stack is deployed with (sam deploy --parameter-overrides), e.g. CleanupGraceDays
    parameters: dict[str, str] = Field(default_factory=dict)

    @field_validator("run_for", mode="before")
    @classmethod
    def _run_for(cls, value: Any) -> float:
        return parse_duration(value)

    @model_validator(mode="after")
    def _timeline_fits(self) -> Scenario:
        for step in self.timeline:
            if step.at > self.run_for:
                raise ValueError(f"a step at {step.at:g}s is after run_for ({self.run_for:g}s)")
            spot = step.spot_interruption
            declared = {s.name: s for s in self.world.services}
            if (
                spot is not None
                and spot.service in declared
                and declared[spot.service].capacity_provider != "FARGATE_SPOT"
            ):
                # AWS reclaims Fargate Spot capacity only; a FARGATE task is never interrupted so.
                raise ValueError(f"spot_interruption: service {spot.service!r} does not run on FARGATE_SPOT")
        return self

    @model_validator(mode="after")
    def _timeline_names_the_world(self) -> Scenario:
        routes = {r.key for r in self.world.routes()}
        groups = {t.name for t in self.world.target_groups}
        hooks = {h.name for h in self.world.hooks}
        for i, step in enumerate(self.timeline):
            if step.edit_listener is not None:
                edit = step.edit_listener
                field = "rule" if edit.rule is not None else "listener"
                if edit.route not in routes:
                    known = ", ".join(sorted(routes))
                    raise SpecReferenceError(
                        ("timeline", i, "edit_listener", field),
                        f"the world has no {edit.route} (it has {known})",
                    )
                for name in edit.forward or {}:
                    if name not in groups:
                        raise SpecReferenceError(
                            ("timeline", i, "edit_listener", "forward", name),
                            f"unknown target group {name!r}",
                        )
            hook = step.deploy.validation_hook if step.deploy is not None else None
            if hook is not None and hook not in hooks and not hook.startswith("arn:"):
                raise SpecReferenceError(
                    ("timeline", i, "deploy", "validation_hook"),
                    f"the world has no hook {hook!r} (declare it in world.hooks, or give a Lambda ARN)",
                )
        return self


def load(path: Path) -> Scenario:
    try:
        text = path.read_text()
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error.strerror}") from error
    return loads(text, str(path))


def loads(text: str, source: str = "<scenario>") -> Scenario:
    node, data = _parse(text, source)
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario is a mapping with name, world and timeline")
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(_problems(error, node, source)) from None


def load_world(path: Path) -> WorldSpec:
    """A world file (`fargate-ops local serve --world FILE`): what a scenario's `world:` holds."""
    try:
        text = path.read_text()
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error.strerror}") from error
    node, data = _parse(text, str(path))
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a world is a mapping with cluster, services, images, ...")
    try:
        return WorldSpec.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(_problems(error, node, str(path))) from None


def _parse(text: str, source: str) -> tuple[Any, Any]:
    try:
        return yaml.compose(text), yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{source}:{where} not valid YAML: {getattr(error, 'problem', error)}") from error


def _problems(error: ValidationError, node: Any, source: str) -> str:
    lines = []
    for problem in error.errors():
        # A reference error knows the field below the model that raised it (world.load_balancer...).
        below = getattr((problem.get("ctx") or {}).get("error"), "loc", ())
        full = (*problem["loc"], *below)
        field = ".".join(str(p) for p in full) or "(top level)"
        lines.append(f"{source}:{_line_of(node, full)}: {field}: {problem['msg']}")
    return "\n".join(lines)


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
