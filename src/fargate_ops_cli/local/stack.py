"""Deploys the real `template.yaml` into moto, doing what `sam build`/`sam deploy` and AWS would.

1. Local paths (CodeUri, ContentUri, DefinitionUri) are what `sam build`/`sam package` rewrite: code is
   uploaded to moto's S3 under its repository path (the in-process Lambda host maps it back), and each
   ASL file is inlined as `Definition`.
2. aws-sam-translator transforms the SAM template into CloudFormation, as the Serverless transform does.
3. moto's CloudFormation creates what it supports (functions, roles, rules, state machines, table...).
4. What moto leaves undone: `${...}` DefinitionSubstitutions are resolved and written back with
   UpdateStateMachine; AWS::Scheduler::Schedule resources are created through the Scheduler API.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fargate_ops_cli.local.clients import ClientFactory

ARTIFACT_BUCKET = "fargate-ops-local-artifacts"


class TemplateDeployError(RuntimeError):
    """The template could not be deployed into the local runtime."""


@dataclass
class DeployedStack:
    name: str
    template: dict[str, Any]  # the transformed (CloudFormation) template
    physical_ids: dict[str, str]  # logical id -> physical id
    function_arns: dict[str, str] = field(default_factory=dict)  # logical id -> ARN
    state_machine_arns: dict[str, str] = field(default_factory=dict)
    schedules: list[dict[str, Any]] = field(default_factory=list)  # resolved Scheduler properties
    outputs: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)  # as given to the deploy

    def function_arn(self, logical_id: str) -> str:
        return self.function_arns[logical_id]

    def state_machine_arn(self, logical_id: str) -> str:
        return self.state_machine_arns[logical_id]


def load_sam_template(path: Path) -> dict[str, Any]:
    """The template as `sam` reads it: samtranslator's constructor for !Ref, !Sub, !GetAtt ...

    samtranslator's own `yaml_parse` uses PyYAML's pure-Python loader, a tenth of the runtime's
    start-up; libyaml's loader (when PyYAML was built with it) reads the same mapping much faster."""
    import yaml
    from samtranslator.yaml_helper import intrinsics_multi_constructor

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader: Any = type("SamTemplateLoader", (base,), {})
    loader.add_multi_constructor("!", intrinsics_multi_constructor)
    template: dict[str, Any] = yaml.load(path.read_text(), Loader=loader)  # a SafeLoader: no Python tags
    return template


REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = REPO_ROOT / "template.yaml"


@functools.cache
def _ops_table(template: Path) -> dict[str, Any]:
    return dict(load_sam_template(template)["Resources"]["OpsTable"]["Properties"])


def create_ops_table(ddb: Any, name: str, template: Path = TEMPLATE) -> str:
    """The ops table as the template defines it (keys, billing), without deploying the stack: for the
    tests and benches that need only the table. Its name is returned."""
    table = _ops_table(template)
    ddb.create_table(
        TableName=name,
        BillingMode=table["BillingMode"],
        AttributeDefinitions=table["AttributeDefinitions"],
        KeySchema=table["KeySchema"],
    )
    return name


def _zip_of(directory: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(directory.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                archive.write(file, prefix + str(file.relative_to(directory)))
    return buffer.getvalue()


def _upload(s3: Any, repo_root: Path, local_path: str, prefix: str = "") -> dict[str, str]:
    directory = (repo_root / local_path).resolve()
    if not directory.is_dir():
        raise TemplateDeployError(f"CodeUri/ContentUri {local_path!r} is not a folder under {repo_root}")
    key = f"code/{directory.relative_to(repo_root.resolve())}.zip"
    s3.put_object(Bucket=ARTIFACT_BUCKET, Key=key, Body=_zip_of(directory, prefix))
    return {"Bucket": ARTIFACT_BUCKET, "Key": key}


def package_local_paths(template: dict[str, Any], repo_root: Path, s3: Any) -> dict[str, Any]:
    """What `sam build` + `sam package` do to local paths, on a copy of the template."""
    template = copy.deepcopy(template)
    s3.create_bucket(Bucket=ARTIFACT_BUCKET)
    globals_fn = template.get("Globals", {}).get("Function", {})
    for logical_id, resource in template.get("Resources", {}).items():
        props = resource.setdefault("Properties", {})
        kind = resource.get("Type")
        if kind == "AWS::Serverless::Function":
            code_uri = props.get("CodeUri", globals_fn.get("CodeUri"))
            if isinstance(code_uri, str) and not code_uri.startswith("s3://"):
                props["CodeUri"] = _upload(s3, repo_root, code_uri)
        elif kind == "AWS::Serverless::LayerVersion":
            content_uri = props.get("ContentUri")
            if isinstance(content_uri, str) and not content_uri.startswith("s3://"):
                props["ContentUri"] = _upload(s3, repo_root, content_uri, prefix="python/")
        elif kind == "AWS::Serverless::StateMachine" and isinstance(props.get("DefinitionUri"), str):
            path = repo_root / props.pop("DefinitionUri")
            try:
                props["Definition"] = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError) as error:
                raise TemplateDeployError(f"{logical_id}: cannot read {path}: {error}") from error
    if isinstance(globals_fn.get("CodeUri"), str):
        del globals_fn["CodeUri"]
    return template


class _MotoManagedPolicies:
    """aws-sam-translator's ManagedPolicyLoader, answered by moto's IAM (it carries AWS's policies)."""

    def __init__(self, iam: Any) -> None:
        self._iam = iam
        self._map: dict[str, str] | None = None

    def load(self) -> dict[str, str]:
        if self._map is None:
            self._map = {}
            for page in self._iam.get_paginator("list_policies").paginate(Scope="AWS"):
                self._map.update((p["PolicyName"], p["Arn"]) for p in page["Policies"])
        return self._map


def transform(template: dict[str, Any], parameters: dict[str, str], iam: Any) -> dict[str, Any]:
    from samtranslator.translator.transform import transform as sam_transform

    try:
        result: dict[str, Any] = sam_transform(template, parameters, _MotoManagedPolicies(iam))
    except Exception as error:  # the translator raises InvalidDocumentException with causes
        causes = getattr(error, "causes", None)
        detail = "; ".join(str(c) for c in causes) if causes else str(error)
        raise TemplateDeployError(f"SAM transform failed: {detail}") from error
    return result


_SUB = re.compile(r"\$\{([^}]+)\}")


class Resolver:
    """Resolves the intrinsic functions that DefinitionSubstitutions and schedules use."""

    def __init__(self, stack: DeployedStack, clients: ClientFactory, parameters: dict[str, str]) -> None:
        self._stack = stack
        self._clients = clients
        region = clients.region
        self._pseudo = {
            "AWS::Region": region,
            "AWS::AccountId": clients.account_id,
            "AWS::Partition": "aws",
            "AWS::StackName": stack.name,
            "AWS::URLSuffix": "amazonaws.com",
        }
        self._parameters = parameters

    def ref(self, name: str) -> str:
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._parameters:
            return self._parameters[name]
        params = self._stack.template.get("Parameters", {})
        if name in params:
            return str(params[name].get("Default", ""))
        if name in self._stack.physical_ids:
            return self._stack.physical_ids[name]
        raise TemplateDeployError(f"cannot resolve Ref {name}")

    def get_att(self, logical_id: str, attribute: str) -> str:
        kind = self._stack.template["Resources"][logical_id]["Type"]
        physical = self._stack.physical_ids[logical_id]
        if attribute == "Arn":
            if kind == "AWS::Lambda::Function":
                return str(
                    self._clients.client("lambda").get_function(FunctionName=physical)["Configuration"][
                        "FunctionArn"
                    ]
                )
            if kind == "AWS::IAM::Role":
                return str(self._clients.client("iam").get_role(RoleName=physical)["Role"]["Arn"])
            if kind == "AWS::SQS::Queue":
                attrs = self._clients.client("sqs").get_queue_attributes(
                    QueueUrl=physical, AttributeNames=["QueueArn"]
                )
                return str(attrs["Attributes"]["QueueArn"])
            if kind == "AWS::DynamoDB::Table":
                return str(
                    self._clients.client("dynamodb").describe_table(TableName=physical)["Table"]["TableArn"]
                )
            if kind == "AWS::KMS::Key":  # its physical id is the key id
                return str(self._clients.client("kms").describe_key(KeyId=physical)["KeyMetadata"]["Arn"])
            if physical.startswith("arn:"):
                return physical
        if attribute == "TopicName" and kind == "AWS::SNS::Topic":
            return physical.rsplit(":", 1)[-1]
        if attribute == "Name" and kind == "AWS::StepFunctions::StateMachine":
            return physical.rsplit(":", 1)[-1]
        raise TemplateDeployError(f"cannot resolve Fn::GetAtt {logical_id}.{attribute} ({kind})")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(logical_id, attribute)
            if key == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                return _SUB.sub(lambda m: self._sub_var(m.group(1), extra), text)
            if key == "Fn::Join":
                sep, parts = arg
                return sep.join(str(self.resolve(p)) for p in parts)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def _sub_var(self, name: str, extra: dict[str, Any]) -> str:
        if name in extra:
            return str(self.resolve(extra[name]))
        if "." in name:
            logical_id, attribute = name.split(".", 1)
            return self.get_att(logical_id, attribute)
        return self.ref(name)


def deploy(
    repo_root: Path,
    clients: ClientFactory,
    template_path: Path | None = None,
    stack_name: str = "fargate-ops",
    parameters: dict[str, str] | None = None,
) -> DeployedStack:
    parameters = dict(parameters or {})
    sam_template = load_sam_template(template_path or repo_root / "template.yaml")
    packaged = package_local_paths(sam_template, repo_root, clients.client("s3"))
    cfn_template = transform(packaged, parameters, clients.client("iam"))

    cfn = clients.client("cloudformation")
    cfn.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(cfn_template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    description = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    if not description["StackStatus"].endswith("COMPLETE"):
        raise TemplateDeployError(f"stack {stack_name} ended {description['StackStatus']}")
    physical: dict[str, str] = {}
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack_name):
        for resource in page["StackResourceSummaries"]:
            physical[resource["LogicalResourceId"]] = resource.get("PhysicalResourceId", "")
    stack = DeployedStack(stack_name, cfn_template, physical, parameters=parameters)
    _key_policies_as_json(clients, cfn_template, physical)
    stack.outputs = {o["OutputKey"]: o.get("OutputValue", "") for o in description.get("Outputs", [])}
    resolver = Resolver(stack, clients, parameters)

    for logical_id, resource in cfn_template["Resources"].items():
        if resource["Type"] == "AWS::Lambda::Function":
            stack.function_arns[logical_id] = resolver.get_att(logical_id, "Arn")
    for logical_id, resource in cfn_template["Resources"].items():
        if resource["Type"] == "AWS::StepFunctions::StateMachine":
            stack.state_machine_arns[logical_id] = _finish_state_machine(
                clients, resolver, physical[logical_id], resource["Properties"]
            )
        elif resource["Type"] == "AWS::Scheduler::Schedule":
            stack.schedules.append(_create_schedule(clients, resolver, logical_id, resource["Properties"]))
    return stack


def _key_policies_as_json(clients: ClientFactory, template: dict[str, Any], physical: dict[str, str]) -> None:
    """moto's CloudFormation keeps an AWS::KMS::Key's KeyPolicy as the template's mapping, where KMS
    holds a JSON document (its DescribeKey then fails parsing it): store it as KMS would."""
    from moto.kms.models import kms_backends

    keys = kms_backends[clients.account_id][clients.region].keys
    for logical_id, resource in template["Resources"].items():
        key: Any = keys.get(physical.get(logical_id, "")) if resource["Type"] == "AWS::KMS::Key" else None
        if key is not None and not isinstance(key.policy, str):
            key.policy = json.dumps(key.policy)


def _finish_state_machine(clients: ClientFactory, resolver: Resolver, arn: str, props: dict[str, Any]) -> str:
    """Create the state machine through the Step Functions API, `${...}` substituted.

    moto's CloudFormation stores state machines in its classic backend, which neither substitutes
    DefinitionSubstitutions nor is the one that executes (with `execute_state_machine` on, the API is
    served by the ASL interpreter's backend). So the runtime creates it there, under the same name.
    """
    definition = props.get("Definition")
    text = (
        json.dumps(definition) if definition is not None else str(resolver.resolve(props["DefinitionString"]))
    )
    substitutions = {k: str(resolver.resolve(v)) for k, v in props.get("DefinitionSubstitutions", {}).items()}

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in substitutions:
            raise TemplateDeployError(
                f"state machine {arn}: no DefinitionSubstitutions entry for ${{{name}}}"
            )
        return substitutions[name]

    resolved = _SUB.sub(substitute, text)
    created = clients.client("stepfunctions").create_state_machine(
        name=arn.rsplit(":", 1)[-1],
        definition=resolved,
        roleArn=str(resolver.resolve(props["RoleArn"])),
        type=props.get("StateMachineType", "STANDARD"),
    )
    return str(created["stateMachineArn"])


def _create_schedule(
    clients: ClientFactory, resolver: Resolver, logical_id: str, props: dict[str, Any]
) -> dict[str, Any]:
    resolved: dict[str, Any] = resolver.resolve(props)
    name = resolved.get("Name") or f"{logical_id}"
    request = {
        "Name": name,
        "ScheduleExpression": resolved["ScheduleExpression"],
        "FlexibleTimeWindow": resolved.get("FlexibleTimeWindow", {"Mode": "OFF"}),
        "Target": resolved["Target"],
        "State": resolved.get("State", "ENABLED"),
    }
    for optional in ("ScheduleExpressionTimezone", "GroupName", "Description"):
        if optional in resolved:
            request[optional] = resolved[optional]
    clients.client("scheduler").create_schedule(**request)
    return {"LogicalId": logical_id, **request}
