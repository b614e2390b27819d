"""The project's rules for template.yaml, as plain functions over the parsed template.

Each check takes the template as a dict (intrinsics in their long form: ``{"Ref": ...}``,
``{"Fn::Sub": ...}``, as cfn-lint's YAML loader produces them) and returns findings. The same
functions back the custom cfn-lint rules in ``lint/rules`` (``make template``) and the meta-tests in
``tests/template`` (``make pytest``), so the two can never disagree.

The checks read the SAM template itself, not the output of the SAM transform: that is what people
write and review, and it is what cfn-lint v1 hands to rules (with Globals merged in).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

Location = tuple[str | int, ...]

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
FUNCTION_TYPES = (SERVERLESS_FUNCTION, LAMBDA_FUNCTION)
SERVERLESS_STATE_MACHINE = "AWS::Serverless::StateMachine"
STATE_MACHINE_TYPES = (SERVERLESS_STATE_MACHINE, "AWS::StepFunctions::StateMachine")
LOG_GROUP = "AWS::Logs::LogGroup"

# Actions that AWS authorizes only on Resource "*" (the Service Authorization Reference lists no
# resource type for them), each with the reason. A statement may pair Resource "*" with a mutating
# action only if the action is here. Read-only actions (Describe/Get/List/...) never need an entry;
# the read-only ones below are listed because people look for them here.
WILDCARD_ONLY_ACTIONS: Mapping[str, str] = {
    "ecs:RegisterTaskDefinition": "no resource type: the revision's ARN does not exist before the call",
    "ecs:DeregisterTaskDefinition": "no resource type in the ECS authorization reference",
    "ecs:DescribeTaskDefinition": "read; no resource type in the ECS authorization reference",
    "ecs:ListTaskDefinitions": "read; list calls take no resource",
    "ecs:ListTaskDefinitionFamilies": "read; list calls take no resource",
    "tag:TagResources": "no resource type; AWS then checks each resource's own TagResource (scoped)",
    "tag:UntagResources": "no resource type; AWS then checks each resource's own UntagResource (scoped)",
    "elasticloadbalancing:Describe*": "read; ELBv2 Describe calls support only *",
    "cloudwatch:GetMetricData": "read; metric queries are not resources",
    "cloudwatch:PutMetricData": "metrics are not resources; narrow with the cloudwatch:namespace key",
    "xray:Put*": "X-Ray segment and telemetry upload support only *",
    "xray:PutTraceSegments": "X-Ray segment upload supports only *",
    "xray:PutTelemetryRecords": "X-Ray telemetry upload supports only *",
    "states:SendTaskSuccess": "task tokens are not resources: the callback APIs support only *",
    "states:SendTaskFailure": "task tokens are not resources: the callback APIs support only *",
    "states:SendTaskHeartbeat": "task tokens are not resources: the callback APIs support only *",
    "logs:CreateLogDelivery": "vended log delivery (state machine logging) supports only *",
    "logs:GetLogDelivery": "vended log delivery (state machine logging) supports only *",
    "logs:UpdateLogDelivery": "vended log delivery (state machine logging) supports only *",
    "logs:DeleteLogDelivery": "vended log delivery (state machine logging) supports only *",
    "logs:ListLogDeliveries": "vended log delivery (state machine logging) supports only *",
    "logs:PutResourcePolicy": "log resource policies are account-wide: supports only *",
    "logs:DescribeResourcePolicies": "read; log resource policies are account-wide",
}

# Verbs that only read. Anything else (and any action wildcard that could expand to something
# else, such as "ecs:*" or "ecs:Up*") counts as mutating.
READ_ONLY_PREFIXES = ("describe", "get", "list", "batchget", "query", "scan", "search", "lookup", "filter")

# Event sources that invoke a function asynchronously, and which of them carry their own DLQ.
FUNCTION_ASYNC_EVENTS = frozenset(
    {"EventBridgeRule", "CloudWatchEvent", "Schedule", "ScheduleV2", "SNS", "S3", "CloudWatchLogs", "IoTRule"}
)
EVENT_DLQ_PROPERTY = {
    "EventBridgeRule": "DeadLetterConfig",
    "CloudWatchEvent": "DeadLetterConfig",
    "Schedule": "DeadLetterConfig",
    "ScheduleV2": "DeadLetterConfig",
    "SNS": "RedrivePolicy",
}
STATE_MACHINE_ASYNC_EVENTS = frozenset({"EventBridgeRule", "CloudWatchEvent", "Schedule", "ScheduleV2"})

ASL_URI = re.compile(r"statemachines/[A-Za-z0-9_.-]+\.asl\.json")
# Step Functions service integrations ("arn:aws:states:::lambda:invoke") name an API, not a resource.
SERVICE_INTEGRATION_ARN = re.compile(r"arn:[a-z-]+:states:::[A-Za-z0-9:._-]+")
ARN_LITERAL = re.compile(r"(?<![\w-])arn:[^\s\"'&,;)}\]]*")
PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Finding:
    """One broken rule: where (a path from the template root) and what to do about it."""

    path: Location
    message: str

    def __str__(self) -> str:
        return f"{'/'.join(str(p) for p in self.path)}: {self.message}"


# --- template access -----------------------------------------------------------------------------


def resources(template: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found = template.get("Resources")
    if not isinstance(found, Mapping):
        return {}
    return {str(k): v for k, v in found.items() if isinstance(v, Mapping)}


def of_type(template: Mapping[str, Any], *types: str) -> dict[str, Mapping[str, Any]]:
    return {lid: res for lid, res in resources(template).items() if res.get("Type") in types}


def properties(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    props = resource.get("Properties")
    return props if isinstance(props, Mapping) else {}


def function_property(template: Mapping[str, Any], resource: Mapping[str, Any], name: str) -> Any:
    """A function's property, falling back to SAM's Globals.Function like the transform does."""
    props = properties(resource)
    if name in props:
        return props[name]
    if resource.get("Type") != SERVERLESS_FUNCTION:
        return None
    glob = template.get("Globals")
    fn_globals = glob.get("Function") if isinstance(glob, Mapping) else None
    return fn_globals.get(name) if isinstance(fn_globals, Mapping) else None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def canonical(value: Any) -> str | None:
    """A string or intrinsic as one comparable string: Ref X -> "${X}", Sub and Join flattened.

    Returns None for what cannot be compared statically (Fn::If, Fn::Select, ...).
    """
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping) or len(value) != 1:
        return None
    ((fn, arg),) = value.items()
    if fn == "Ref" and isinstance(arg, str):
        return "${" + arg + "}"
    if fn == "Fn::GetAtt":
        parts = arg.split(".", 1) if isinstance(arg, str) else arg
        if isinstance(parts, list) and all(isinstance(p, str) for p in parts):
            return "${" + ".".join(parts) + "}"
        return None
    if fn == "Fn::Sub":
        if isinstance(arg, str):
            return arg
        if (
            isinstance(arg, list)
            and len(arg) == 2
            and isinstance(arg[0], str)
            and isinstance(arg[1], Mapping)
        ):
            text = arg[0]
            for name, var in arg[1].items():
                flat = canonical(var)
                if flat is None:
                    return None
                text = text.replace("${" + str(name) + "}", flat)
            return text
        return None
    if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
        pieces = [canonical(p) for p in arg[1]]
        if not isinstance(arg[0], str) or any(p is None for p in pieces):
            return None
        return arg[0].join(p for p in pieces if p is not None)
    return None


def refers_to(value: Any, logical_id: str) -> bool:
    """True if value is Ref/GetAtt of logical_id (or a Sub that is exactly that)."""
    flat = canonical(value)
    return flat is not None and (flat == "${" + logical_id + "}" or flat.startswith("${" + logical_id + "."))


# --- rule: log groups ----------------------------------------------------------------------------


def check_log_groups(template: Mapping[str, Any]) -> list[Finding]:
    """Every function has an explicit log group with RetentionInDays.

    Either a log group named /aws/lambda/<the function's name> (``!Sub /aws/lambda/${XFunction}``, or
    the function's FunctionName after /aws/lambda/), or the one its LoggingConfig.LogGroup points at.
    """
    findings: list[Finding] = []
    log_groups = of_type(template, LOG_GROUP)
    by_name: dict[str, str] = {}
    for lid, res in log_groups.items():
        name = canonical(properties(res).get("LogGroupName"))
        if name is not None:
            by_name[name] = lid

    for fid, fn in of_type(template, *FUNCTION_TYPES).items():
        where: Location = ("Resources", fid)
        logging = function_property(template, fn, "LoggingConfig")
        explicit = logging.get("LogGroup") if isinstance(logging, Mapping) else None
        target: str | None
        if explicit is not None:
            ref = explicit.get("Ref") if isinstance(explicit, Mapping) else None
            target = (
                ref if isinstance(ref, str) and ref in log_groups else by_name.get(canonical(explicit) or "")
            )
            if target is None:
                findings.append(
                    Finding(
                        (*where, "Properties", "LoggingConfig", "LogGroup"),
                        f"{fid}'s LoggingConfig.LogGroup is not an AWS::Logs::LogGroup of this template; "
                        "declare the log group here so it has a retention",
                    )
                )
                continue
        else:
            expected = {f"/aws/lambda/${{{fid}}}"}
            function_name = canonical(properties(fn).get("FunctionName"))
            if function_name is not None:
                expected.add("/aws/lambda/" + function_name)
            target = next((by_name[name] for name in sorted(expected) if name in by_name), None)
            if target is None:
                findings.append(
                    Finding(
                        where,
                        f"{fid} has no AWS::Logs::LogGroup: add one with RetentionInDays and "
                        f"LogGroupName !Sub /aws/lambda/${{{fid}}}, or point LoggingConfig.LogGroup at one "
                        "(otherwise Lambda creates the group itself and it keeps logs forever)",
                    )
                )
                continue
        if properties(log_groups[target]).get("RetentionInDays") is None:
            findings.append(
                Finding(
                    ("Resources", target, "Properties"),
                    f"log group {target} of {fid} has no RetentionInDays",
                )
            )
    return findings


# --- rule: failure destinations of asynchronous invocations ----------------------------------------


def _has_on_failure(template: Mapping[str, Any], fid: str) -> bool:
    fn = resources(template).get(fid)
    if fn is None or fn.get("Type") not in FUNCTION_TYPES:
        return False
    config = function_property(template, fn, "EventInvokeConfig")
    if isinstance(config, Mapping):
        destinations = config.get("DestinationConfig")
        if isinstance(destinations, Mapping) and destinations.get("OnFailure"):
            return True
    for res in of_type(template, "AWS::Lambda::EventInvokeConfig").values():
        props = properties(res)
        destinations = props.get("DestinationConfig")
        if (
            refers_to(props.get("FunctionName"), fid)
            and isinstance(destinations, Mapping)
            and destinations.get("OnFailure")
        ):
            return True
    return False


def _target_function(template: Mapping[str, Any], arn: Any) -> str | None:
    for fid in of_type(template, *FUNCTION_TYPES):
        if refers_to(arn, fid):
            return fid
    return None


def check_async_failure_destinations(template: Mapping[str, Any]) -> list[Finding]:
    """Every asynchronous event source has a dead-letter queue, or its function an OnFailure destination.

    EventBridge and Scheduler retry and then drop; Lambda's async queue retries twice and then drops.
    Without a DLQ or OnFailure destination those events vanish without a trace.
    """
    findings: list[Finding] = []
    hint = (
        "add DeadLetterConfig to the event, or EventInvokeConfig.DestinationConfig.OnFailure to the function"
    )

    for fid, fn in of_type(template, SERVERLESS_FUNCTION).items():
        events = properties(fn).get("Events")
        if not isinstance(events, Mapping):
            continue
        for name, event in events.items():
            if not isinstance(event, Mapping) or event.get("Type") not in FUNCTION_ASYNC_EVENTS:
                continue
            dlq_key = EVENT_DLQ_PROPERTY.get(str(event.get("Type")))
            event_props = properties(event)
            if (dlq_key and event_props.get(dlq_key)) or _has_on_failure(template, fid):
                continue
            findings.append(
                Finding(
                    ("Resources", fid, "Properties", "Events", name),
                    f"{event.get('Type')} event {name} of {fid} invokes it asynchronously with nowhere "
                    f"for failed events to go: {hint}",
                )
            )

    for sid, machine in of_type(template, SERVERLESS_STATE_MACHINE).items():
        events = properties(machine).get("Events")
        if not isinstance(events, Mapping):
            continue
        for name, event in events.items():
            if not isinstance(event, Mapping) or event.get("Type") not in STATE_MACHINE_ASYNC_EVENTS:
                continue
            if properties(event).get("DeadLetterConfig"):
                continue
            findings.append(
                Finding(
                    ("Resources", sid, "Properties", "Events", name),
                    f"{event.get('Type')} event {name} of {sid} has no DeadLetterConfig: an execution that "
                    "cannot be started would be dropped",
                )
            )

    for rid, rule in of_type(template, "AWS::Events::Rule").items():
        for i, target in enumerate(as_list(properties(rule).get("Targets"))):
            if not isinstance(target, Mapping) or target.get("DeadLetterConfig"):
                continue
            invoked = _target_function(template, target.get("Arn"))
            if invoked is not None and _has_on_failure(template, invoked):
                continue
            findings.append(
                Finding(
                    ("Resources", rid, "Properties", "Targets", i),
                    f"target {target.get('Id', i)} of rule {rid} has no DeadLetterConfig"
                    + (f" and {invoked} has no OnFailure destination" if invoked else ""),
                )
            )

    for sid, schedule in of_type(template, "AWS::Scheduler::Schedule").items():
        target = properties(schedule).get("Target")
        if not isinstance(target, Mapping) or target.get("DeadLetterConfig"):
            continue
        invoked = _target_function(template, target.get("Arn"))
        if invoked is not None and _has_on_failure(template, invoked):
            continue
        findings.append(
            Finding(("Resources", sid, "Properties", "Target"), f"schedule {sid} has no DeadLetterConfig")
        )
    return findings


# --- rules: IAM -----------------------------------------------------------------------------------


def policy_statements(template: Mapping[str, Any]) -> Iterator[tuple[Location, Mapping[str, Any]]]:
    """Every inline IAM statement: SAM Policies documents, roles' Policies, and policy resources.

    SAM policy templates (``DynamoDBCrudPolicy: {...}``) and managed policy names are AWS's own,
    scoped by design, and are not expanded here.
    """

    def statements(document: Any, where: Location) -> Iterator[tuple[Location, Mapping[str, Any]]]:
        if not isinstance(document, Mapping):
            return
        body = document.get("Statement")
        if isinstance(body, Mapping):
            yield (*where, "Statement"), body
        elif isinstance(body, list):
            for i, statement in enumerate(body):
                if isinstance(statement, Mapping):
                    yield (*where, "Statement", i), statement

    for lid, res in resources(template).items():
        props = properties(res)
        kind = res.get("Type")
        where: Location = ("Resources", lid, "Properties")
        if kind in (SERVERLESS_FUNCTION, SERVERLESS_STATE_MACHINE):
            policies = props.get("Policies")
            if isinstance(policies, Mapping):
                yield from statements(policies, (*where, "Policies"))
            elif isinstance(policies, list):
                for i, policy in enumerate(policies):
                    yield from statements(policy, (*where, "Policies", i))
        elif kind == "AWS::IAM::Role":
            for i, policy in enumerate(as_list(props.get("Policies"))):
                if isinstance(policy, Mapping):
                    yield from statements(
                        policy.get("PolicyDocument"), (*where, "Policies", i, "PolicyDocument")
                    )
        elif kind in (
            "AWS::IAM::Policy",
            "AWS::IAM::ManagedPolicy",
            "AWS::IAM::RolePolicy",
            "AWS::IAM::UserPolicy",
            "AWS::IAM::GroupPolicy",
        ):
            yield from statements(props.get("PolicyDocument"), (*where, "PolicyDocument"))


def _allows(statement: Mapping[str, Any]) -> bool:
    return bool(statement.get("Effect", "Allow") == "Allow")


def is_read_only(action: str) -> bool:
    _, _, name = action.partition(":")
    return bool(name) and name != "*" and name.lower().startswith(READ_ONLY_PREFIXES)


def wildcard_only(action: str) -> bool:
    """True if the action appears in WILDCARD_ONLY_ACTIONS (IAM action names ignore case)."""
    lowered = action.lower()
    for allowed in WILDCARD_ONLY_ACTIONS:
        if lowered == allowed.lower():
            return True
        # A concrete action may match a listed pattern (xray:PutTraceSegments ~ xray:Put*); a
        # pattern in the statement must be listed itself, since it may expand to more actions.
        if "*" not in action and "?" not in action and fnmatchcase(lowered, allowed.lower()):
            return True
    return False


def _grants(action: str, wanted: str) -> bool:
    return fnmatchcase(wanted.lower(), action.lower())


def check_wildcard_resources(template: Mapping[str, Any]) -> list[Finding]:
    """No Allow statement pairs Resource "*" with a mutating action, unless AWS supports only "*"."""
    findings: list[Finding] = []
    for where, statement in policy_statements(template):
        if not _allows(statement):
            continue
        if "NotAction" in statement:
            findings.append(
                Finding(where, "Allow with NotAction grants every other action: list the actions")
            )
        if "NotResource" in statement:
            findings.append(
                Finding(where, "Allow with NotResource grants every other resource: list the ARNs")
            )
        if "*" not in as_list(statement.get("Resource")):
            continue
        actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
        mutating = [a for a in actions if not is_read_only(a) and not wildcard_only(a)]
        if mutating:
            findings.append(
                Finding(
                    where,
                    f"Resource '*' with mutating action(s) {', '.join(mutating)}: scope them to resource "
                    "ARNs (a pattern such as arn:...:service/${Cluster}/* is fine). If AWS supports only '*' "
                    "for an action, add it and the reason to WILDCARD_ONLY_ACTIONS (lint/template_checks.py)",
                )
            )
    return findings


def check_pass_role_conditions(template: Mapping[str, Any]) -> list[Finding]:
    """Every statement allowing iam:PassRole has a Condition on iam:PassedToService."""
    findings: list[Finding] = []
    for where, statement in policy_statements(template):
        if not _allows(statement):
            continue
        actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
        if not any(_grants(a, "iam:PassRole") for a in actions):
            continue
        condition = statement.get("Condition")
        keys: set[str] = set()
        if isinstance(condition, Mapping):
            for operator in condition.values():
                if isinstance(operator, Mapping):
                    keys.update(str(k).lower() for k in operator)
        if "iam:passedtoservice" not in keys:
            findings.append(
                Finding(
                    where,
                    "iam:PassRole without a Condition on iam:PassedToService: add "
                    "Condition: {StringEquals: {iam:PassedToService: ecs-tasks.amazonaws.com}}",
                )
            )
    return findings


# --- rule: state machines -------------------------------------------------------------------------


def _strings(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """(JSON pointer, string) for every key and string value in an ASL document."""
    if isinstance(node, str):
        yield pointer or "/", node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            child = f"{pointer}/{key}"
            yield child, str(key)
            yield from _strings(value, child)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, f"{pointer}/{i}")


def check_state_machines(template: Mapping[str, Any], base_dir: Path) -> list[Finding]:
    """State machines load statemachines/<name>.asl.json, whose ARNs all come from ${Substitutions}.

    Also: every ${Name} in the file is a DefinitionSubstitution and every substitution is used, and
    no statemachines/*.asl.json file is left unreferenced.
    """
    findings: list[Finding] = []
    referenced: set[Path] = set()
    for sid, machine in of_type(template, *STATE_MACHINE_TYPES).items():
        where: Location = ("Resources", sid, "Properties")
        if machine.get("Type") != SERVERLESS_STATE_MACHINE:
            findings.append(
                Finding(("Resources", sid), f"{sid}: use AWS::Serverless::StateMachine with DefinitionUri")
            )
            continue
        props = properties(machine)
        if "Definition" in props:
            findings.append(
                Finding(
                    (*where, "Definition"),
                    f"{sid} has an inline Definition: keep the ASL in statemachines/<name>.asl.json",
                )
            )
        uri = props.get("DefinitionUri")
        if not isinstance(uri, str) or not ASL_URI.fullmatch(uri):
            findings.append(
                Finding(
                    (*where, "DefinitionUri"),
                    f"{sid}: DefinitionUri must be a local path statemachines/<name>.asl.json, got {uri!r}",
                )
            )
            continue
        path = base_dir / uri
        referenced.add(path.resolve())
        if not path.is_file():
            findings.append(Finding((*where, "DefinitionUri"), f"{sid}: {uri} does not exist"))
            continue
        try:
            definition = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            findings.append(Finding((*where, "DefinitionUri"), f"{sid}: {uri} is not valid JSON: {error}"))
            continue

        used: set[str] = set()
        for pointer, text in _strings(definition):
            used.update(PLACEHOLDER.findall(text))
            for arn in ARN_LITERAL.findall(text):
                if not SERVICE_INTEGRATION_ARN.fullmatch(arn):
                    findings.append(
                        Finding(
                            (*where, "DefinitionUri"),
                            f"{uri}{pointer}: hard-coded ARN {arn!r}; pass it in as a ${{Substitution}} "
                            "from DefinitionSubstitutions",
                        )
                    )
        substitutions = props.get("DefinitionSubstitutions")
        defined = {str(k) for k in substitutions} if isinstance(substitutions, Mapping) else set()
        for name in sorted(used - defined):
            findings.append(
                Finding(
                    (*where, "DefinitionSubstitutions"),
                    f"{uri} uses ${{{name}}} but {sid} has no such DefinitionSubstitution",
                )
            )
        for name in sorted(defined - used):
            findings.append(
                Finding(
                    (*where, "DefinitionSubstitutions", name),
                    f"DefinitionSubstitution {name} of {sid} is not used in {uri}",
                )
            )

    for orphan in sorted((base_dir / "statemachines").glob("*.asl.json")):
        if orphan.resolve() not in referenced:
            findings.append(
                Finding(
                    ("Resources",),
                    f"statemachines/{orphan.name} is not the DefinitionUri of any state machine",
                )
            )
    return findings


# --- rules: naming and checkov skips ---------------------------------------------------------------


def check_logical_ids(template: Mapping[str, Any]) -> list[Finding]:
    """Functions are <Name>Function, state machines <Name>StateMachine."""
    findings: list[Finding] = []
    for lid in of_type(template, *FUNCTION_TYPES):
        if not lid.endswith("Function"):
            findings.append(Finding(("Resources", lid), f"function logical id {lid} must end in 'Function'"))
    for lid in of_type(template, *STATE_MACHINE_TYPES):
        if not lid.endswith("StateMachine"):
            findings.append(
                Finding(("Resources", lid), f"state machine logical id {lid} must end in 'StateMachine'")
            )
    return findings


def check_checkov_skips(template: Mapping[str, Any]) -> list[Finding]:
    """Every checkov skip (Metadata.checkov.skip[]) names a check and says why in a comment."""
    findings: list[Finding] = []
    for lid, res in resources(template).items():
        metadata = res.get("Metadata")
        checkov = metadata.get("checkov") if isinstance(metadata, Mapping) else None
        if checkov is None:
            continue
        where: Location = ("Resources", lid, "Metadata", "checkov")
        skips = checkov.get("skip") if isinstance(checkov, Mapping) else None
        if not isinstance(skips, list):
            findings.append(Finding(where, "Metadata.checkov.skip must be a list of {id, comment}"))
            continue
        for i, skip in enumerate(skips):
            check_id = skip.get("id") if isinstance(skip, Mapping) else None
            comment = skip.get("comment") if isinstance(skip, Mapping) else None
            if not isinstance(check_id, str) or not check_id.strip():
                findings.append(Finding((*where, "skip", i), f"checkov skip #{i} of {lid} has no id"))
            if not isinstance(comment, str) or not comment.strip():
                findings.append(
                    Finding(
                        (*where, "skip", i),
                        f"checkov skip {check_id or i} of {lid} has no comment: say why the check does "
                        "not apply here",
                    )
                )
    return findings


TemplateCheck = Callable[[Mapping[str, Any], Path], list[Finding]]

# Every check by name, with the template's directory (for files it refers to).
CHECKS: Mapping[str, TemplateCheck] = {
    "log-groups": lambda t, _base: check_log_groups(t),
    "async-failure-destinations": lambda t, _base: check_async_failure_destinations(t),
    "wildcard-resources": lambda t, _base: check_wildcard_resources(t),
    "pass-role-conditions": lambda t, _base: check_pass_role_conditions(t),
    "state-machines": check_state_machines,
    "logical-ids": lambda t, _base: check_logical_ids(t),
    "checkov-skips": lambda t, _base: check_checkov_skips(t),
}


def run_all(template: Mapping[str, Any], base_dir: Path) -> dict[str, Sequence[Finding]]:
    return {name: check(template, base_dir) for name, check in CHECKS.items()}
