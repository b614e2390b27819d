"""What else reaches a revision or a target group: EventBridge rules and Scheduler schedules that run
ECS tasks, and the load balancers, listeners and rules that forward to target groups.

Every list is paged. ListSchedules summarises a schedule's target as its ARN only, so GetSchedule is
called for the schedules whose target is an ECS cluster (RunTask), and for no other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import translate
from fargate_ops.aws.inventory_ecs import PAGE, _pages
from fargate_ops.domain import inventory as inv

ELB_PAGE = 400  # DescribeTargetGroups / DescribeLoadBalancers take up to 400 per page
ELB_TAGS_BATCH = 20  # DescribeTags: at most 20 ARNs per call


def _is_ecs_cluster(arn: str) -> bool:
    return ":ecs:" in arn and ":cluster/" in arn


def _event_buses(events: Any) -> Iterator[str]:
    token: str | None = None
    while True:  # ListEventBuses has no paginator in botocore
        kwargs: dict[str, Any] = {"Limit": PAGE}
        if token:
            kwargs["NextToken"] = token
        try:
            page = events.list_event_buses(**kwargs)
        except ClientError as err:
            raise translate(err, "events:ListEventBuses") from err
        for bus in page.get("EventBuses", []):
            yield str(bus["Name"])
        token = page.get("NextToken")
        if not token:
            return


def rule_targets(events: Any) -> list[inv.RuleTarget]:
    """ECS targets of every rule on every event bus (ListRules, then ListTargetsByRule per rule)."""
    found: list[inv.RuleTarget] = []
    for bus in _event_buses(events):
        rules = _pages(
            events, "list_rules", "events:ListRules", EventBusName=bus, PaginationConfig={"PageSize": PAGE}
        )
        for page in rules:
            for rule in page.get("Rules", []):
                name = str(rule["Name"])
                targets = _pages(
                    events,
                    "list_targets_by_rule",
                    "events:ListTargetsByRule",
                    Rule=name,
                    EventBusName=bus,
                    PaginationConfig={"PageSize": PAGE},
                )
                for target_page in targets:
                    for target in target_page.get("Targets", []):
                        ecs = target.get("EcsParameters")
                        if not ecs or not ecs.get("TaskDefinitionArn"):
                            continue
                        found.append(
                            inv.RuleTarget(
                                rule=name,
                                target_id=str(target.get("Id", "")),
                                task_definition=str(ecs["TaskDefinitionArn"]),
                                cluster=str(target.get("Arn", "")),
                                event_bus=bus,
                                enabled=rule.get("State", "ENABLED") != "DISABLED",
                            )
                        )
    return found


def schedule_targets(scheduler: Any) -> list[inv.ScheduleTarget]:
    """Schedules whose target is ECS RunTask, in every schedule group."""
    found: list[inv.ScheduleTarget] = []
    pages = _pages(
        scheduler, "list_schedules", "scheduler:ListSchedules", PaginationConfig={"PageSize": PAGE}
    )
    for page in pages:
        for summary in page.get("Schedules", []):
            target_arn = str(summary.get("Target", {}).get("Arn", ""))
            if not _is_ecs_cluster(target_arn):
                continue
            group = str(summary.get("GroupName", "default"))
            try:
                schedule = scheduler.get_schedule(Name=summary["Name"], GroupName=group)
            except ClientError as err:
                raise translate(err, "scheduler:GetSchedule") from err
            task_definition = schedule.get("Target", {}).get("EcsParameters", {}).get("TaskDefinitionArn")
            if task_definition:
                found.append(
                    inv.ScheduleTarget(
                        schedule=str(summary["Name"]),
                        task_definition=str(task_definition),
                        cluster=target_arn,
                        group=group,
                        enabled=schedule.get("State", "ENABLED") != "DISABLED",
                    )
                )
    return found


def _forwarded(actions: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    groups: list[str] = []
    for action in actions:
        if action.get("Type") != "forward":
            continue
        if action.get("TargetGroupArn"):
            groups.append(str(action["TargetGroupArn"]))
        for entry in action.get("ForwardConfig", {}).get("TargetGroups", []):
            if entry.get("TargetGroupArn"):
                groups.append(str(entry["TargetGroupArn"]))
    return tuple(dict.fromkeys(groups))


def _elb_tags(elb: Any, arns: list[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(arns), ELB_TAGS_BATCH):
        try:
            described = elb.describe_tags(ResourceArns=arns[start : start + ELB_TAGS_BATCH])
        except ClientError as err:
            raise translate(err, "elasticloadbalancing:DescribeTags") from err
        for entry in described.get("TagDescriptions", []):
            found[entry["ResourceArn"]] = {t["Key"]: t.get("Value", "") for t in entry.get("Tags", [])}
    return found


def load_balancing(
    elb: Any,
) -> tuple[list[inv.TargetGroup], list[inv.Listener], list[inv.ListenerRule]]:
    """Every target group (with its tags and the balancers routing to it), listener and rule."""
    groups_raw: list[Mapping[str, Any]] = []
    pages = _pages(
        elb,
        "describe_target_groups",
        "elasticloadbalancing:DescribeTargetGroups",
        PaginationConfig={"PageSize": ELB_PAGE},
    )
    for page in pages:
        groups_raw += page.get("TargetGroups", [])
    tags = _elb_tags(elb, [str(g["TargetGroupArn"]) for g in groups_raw])
    groups = [
        inv.TargetGroup(
            arn=str(g["TargetGroupArn"]),
            name=str(g.get("TargetGroupName", "")),
            load_balancer_arns=tuple(g.get("LoadBalancerArns", [])),
            tags=tags.get(str(g["TargetGroupArn"]), {}),
        )
        for g in groups_raw
    ]
    listeners: list[inv.Listener] = []
    rules: list[inv.ListenerRule] = []
    balancers = _pages(
        elb,
        "describe_load_balancers",
        "elasticloadbalancing:DescribeLoadBalancers",
        PaginationConfig={"PageSize": ELB_PAGE},
    )
    for page in balancers:
        for balancer in page.get("LoadBalancers", []):
            lb_arn = str(balancer["LoadBalancerArn"])
            for lpage in _pages(
                elb,
                "describe_listeners",
                "elasticloadbalancing:DescribeListeners",
                LoadBalancerArn=lb_arn,
            ):
                for listener in lpage.get("Listeners", []):
                    arn = str(listener["ListenerArn"])
                    listeners.append(
                        inv.Listener(arn, lb_arn, _forwarded(listener.get("DefaultActions", [])))
                    )
                    for rpage in _pages(
                        elb, "describe_rules", "elasticloadbalancing:DescribeRules", ListenerArn=arn
                    ):
                        rules += [
                            inv.ListenerRule(str(r["RuleArn"]), arn, _forwarded(r.get("Actions", [])))
                            for r in rpage.get("Rules", [])
                            if not r.get("IsDefault")
                        ]
    return groups, listeners, rules
