"""The load balancer's listeners and rules in a scenario's `world:`, and the routes they make.

    load_balancer:
      name: shop-alb
      listeners:
        - port: 80
          default: {fixed_response: 404}          # requests no rule matches
          rules:
            - {name: web, priority: 10, conditions: {host: [shop.example.com]},
               forward: {web-blue-tg: 100, web-green-tg: 0}}
            - {name: api, priority: 20, conditions: {path: ["/api/*"]}, forward: [api-blue-tg, api-green-tg],
               requests_per_minute: 300}
        - {port: 8080, test: true, default: {forward: {web-blue-tg: 100, web-green-tg: 0}}}

A *route* is one place a request can end: a listener's default action or one of its rules. Each route
gets its own requests a minute (traffic.py splits them by that route's forward weights). `test: true`
marks a test listener (or one test rule): deploys name it as their `test_listener_arn`, and it carries
no production traffic unless it says how much. Importable without moto or boto3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fargate_ops_cli.local.world.split import apportion

MAX_FORWARD_GROUPS = 5  # ELB: at most 5 target groups in one forward action
MAX_WEIGHT = 999  # ELB: forward weights are 0-999
MAX_CONDITION_VALUES = 5  # ELB: a rule matches on at most 5 values, all conditions together


class SpecReferenceError(ValueError):
    """A world that names something it does not declare; `loc` is the path of the field below the
    validated model, so the scenario loader can report the exact field and line."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FixedResponseSpec(_Model):
    """What the load balancer answers by itself. Also written as a bare status code: `fixed_response: 404`."""

    status: int = Field(description="2XX, 4XX or 5XX, as ELB accepts")
    body: str = Field("", max_length=1024)
    content_type: Literal[
        "text/plain", "text/css", "text/html", "application/javascript", "application/json"
    ] = "text/plain"

    @model_validator(mode="before")
    @classmethod
    def _bare_status(cls, value: Any) -> Any:
        return {"status": value} if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("status")
    @classmethod
    def _status_class(cls, status: int) -> int:
        # ELB refuses any other StatusCode (pattern ^(2|4|5)\d\d$).
        if not (200 <= status <= 299 or 400 <= status <= 599):
            raise ValueError("a fixed response's status is 2XX, 4XX or 5XX")
        return status

    def elbv2(self) -> dict[str, Any]:
        config = {"StatusCode": str(self.status), "ContentType": self.content_type}
        if self.body:
            config["MessageBody"] = self.body
        return {"Type": "fixed-response", "FixedResponseConfig": config}


def parse_forward(value: Any) -> Any:
    """`{tg: weight}` as written; a list (or one name) puts all the weight on the first target group."""
    if isinstance(value, str):
        return {value: 100}
    if isinstance(value, list):
        return {name: 100 if i == 0 else 0 for i, name in enumerate(value)}
    return value


def check_forward(forward: dict[str, int]) -> dict[str, int]:
    if not 1 <= len(forward) <= MAX_FORWARD_GROUPS:
        raise ValueError(
            f"a forward action holds 1 to {MAX_FORWARD_GROUPS} target groups, got {len(forward)}"
        )
    for name, weight in forward.items():
        if not 0 <= weight <= MAX_WEIGHT:
            raise ValueError(f"weight of {name} is {weight}: ELB weights are 0-{MAX_WEIGHT}")
    return forward


def forward_action(forward: dict[str, int], arns: dict[str, str]) -> dict[str, Any]:
    """The ELBv2 forward action for `{target group name: weight}`."""
    groups = [{"TargetGroupArn": arns[name], "Weight": weight} for name, weight in forward.items()]
    return {"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}


class ActionSpec(_Model):
    """Exactly one of `forward` (target group name -> weight) or `fixed_response`."""

    forward: dict[str, int] | None = None
    fixed_response: FixedResponseSpec | None = None

    @field_validator("forward", mode="before")
    @classmethod
    def _forward_shorthand(cls, value: Any) -> Any:
        return parse_forward(value)

    @field_validator("forward")
    @classmethod
    def _forward_limits(cls, forward: dict[str, int] | None) -> dict[str, int] | None:
        return None if forward is None else check_forward(forward)

    @model_validator(mode="after")
    def _one_action(self) -> ActionSpec:
        if (self.forward is None) == (self.fixed_response is None):
            raise ValueError("give exactly one of forward or fixed_response")
        return self

    def elbv2(self, arns: dict[str, str]) -> list[dict[str, Any]]:
        if self.forward is not None:
            return [forward_action(self.forward, arns)]
        assert self.fixed_response is not None
        return [self.fixed_response.elbv2()]


class ConditionsSpec(_Model):
    host: list[str] = Field(default_factory=list, description="host-header patterns")
    path: list[str] = Field(default_factory=list, description="path-pattern patterns")

    @model_validator(mode="after")
    def _some_values(self) -> ConditionsSpec:
        count = len(self.host) + len(self.path)
        if count == 0:
            raise ValueError("a rule needs at least one condition value (host or path)")
        if count > MAX_CONDITION_VALUES:
            raise ValueError(f"a rule matches on at most {MAX_CONDITION_VALUES} values, got {count}")
        return self

    def elbv2(self) -> list[dict[str, Any]]:
        conditions: list[dict[str, Any]] = []
        if self.host:
            conditions.append({"Field": "host-header", "HostHeaderConfig": {"Values": list(self.host)}})
        if self.path:
            conditions.append({"Field": "path-pattern", "PathPatternConfig": {"Values": list(self.path)}})
        return conditions


class RuleSpec(ActionSpec):
    name: str | None = Field(
        None, description="how the timeline and the report name it; default '<port>-<priority>'"
    )
    priority: int = Field(ge=1, le=50_000)
    conditions: ConditionsSpec
    requests_per_minute: int | None = Field(None, ge=0)
    test: bool = Field(False, description="a test rule: a deploy's test_listener_arn, no production traffic")


def _not_found() -> ActionSpec:
    return ActionSpec(fixed_response=FixedResponseSpec(status=404, body="not found"))


class ListenerSpec(_Model):
    port: int = Field(ge=1, le=65_535)
    test: bool = Field(
        False, description="a test listener: a deploy's test_listener_arn, no production traffic"
    )
    default: ActionSpec = Field(default_factory=_not_found)
    rules: list[RuleSpec] = Field(default_factory=list)
    requests_per_minute: int | None = Field(None, ge=0, description="requests no rule matches")


@dataclass(frozen=True)
class Route:
    """A listener's default action (rule None) or one of its rules, as declared."""

    listener_port: int
    rule: str | None
    priority: int | None
    test: bool
    action: ActionSpec
    requests_per_minute: int | None  # as written; None shares the load balancer's figure

    @property
    def key(self) -> str:
        return f"rule {self.rule}" if self.rule is not None else f"listener {self.listener_port}"

    @property
    def label(self) -> str:
        """How invariants and the narrative name it."""
        return (
            f"rule {self.rule} (listener {self.listener_port})"
            if self.rule
            else f"listener {self.listener_port}"
        )

    @property
    def target_groups(self) -> list[str]:
        return list(self.action.forward or {})


def rule_name(listener: ListenerSpec, rule: RuleSpec) -> str:
    return rule.name or f"{listener.port}-{rule.priority}"


def routes_of(listeners: list[ListenerSpec]) -> list[Route]:
    routes: list[Route] = []
    for listener in listeners:
        routes.append(
            Route(listener.port, None, None, listener.test, listener.default, listener.requests_per_minute)
        )
        for rule in listener.rules:
            action = ActionSpec(forward=rule.forward, fixed_response=rule.fixed_response)
            routes.append(
                Route(
                    listener.port,
                    rule_name(listener, rule),
                    rule.priority,
                    listener.test or rule.test,
                    action,
                    rule.requests_per_minute,
                )
            )
    return routes


def shorthand_listeners(
    port: int, through_rule: bool, priority: int, path: str, target_groups: list[str]
) -> list[ListenerSpec]:
    """Today's single-listener world: one forward over every target group, all weight on the first,
    as the listener's default action or through one rule (the default then answers 404)."""
    forward = ActionSpec(forward={name: 100 if i == 0 else 0 for i, name in enumerate(target_groups)})
    if not through_rule:
        return [ListenerSpec(port=port, default=forward)]
    rule = RuleSpec(
        priority=priority, conditions=ConditionsSpec(path=[path]), forward=forward.forward, name=None
    )
    return [ListenerSpec(port=port, rules=[rule])]


def check_listeners(
    listeners: list[ListenerSpec], target_groups: set[str], where: tuple[str | int, ...]
) -> None:
    """Ports, rule names and priorities unique; every forward names a declared target group."""
    ports: set[int] = set()
    names: set[str] = set()
    for i, listener in enumerate(listeners):
        at = (*where, i)
        if listener.port in ports:
            raise SpecReferenceError((*at, "port"), f"two listeners on port {listener.port}")
        ports.add(listener.port)
        _check_forward_groups(listener.default, target_groups, (*at, "default"))
        priorities: set[int] = set()
        for j, rule in enumerate(listener.rules):
            rule_at = (*at, "rules", j)
            if rule.priority in priorities:
                raise SpecReferenceError(
                    (*rule_at, "priority"),
                    f"listener {listener.port} has two rules of priority {rule.priority}",
                )
            priorities.add(rule.priority)
            name = rule_name(listener, rule)
            if name in names:
                raise SpecReferenceError((*rule_at, "name"), f"two rules named {name!r}")
            names.add(name)
            _check_forward_groups(rule, target_groups, rule_at)


def _check_forward_groups(action: ActionSpec, target_groups: set[str], at: tuple[str | int, ...]) -> None:
    for name in action.forward or {}:
        if name not in target_groups:
            known = ", ".join(sorted(target_groups)) or "none"
            raise SpecReferenceError(
                (*at, "forward", name), f"unknown target group {name!r} (the world's: {known})"
            )


def requests_per_route(routes: list[Route], total: int) -> dict[str, int]:
    """Requests a minute per route key. A route's own figure comes first; what is left of the load
    balancer's `total` is shared evenly by the production routes that forward and name no figure
    (a test listener, and a default that answers by itself, get none unless they say so)."""
    given: dict[str, int] = {
        r.key: r.requests_per_minute for r in routes if r.requests_per_minute is not None
    }
    sharing = [r.key for r in routes if r.requests_per_minute is None and not r.test and r.action.forward]
    shares = apportion(max(0, total - sum(given.values())), {key: 1 for key in sharing})
    return {r.key: given[r.key] if r.key in given else shares.get(r.key, 0) for r in routes}
