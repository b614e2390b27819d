"""The execution roles' policies as the deployed template grants them.

Read from the transformed template (`DeployedStack.template`, after aws-sam-translator expanded the
`Policies:` of each function and state machine: inline statements, SAM policy templates such as
SNSPublishMessagePolicy, the dead-letter queue policy), with every intrinsic resolved as CloudFormation
would, and the AWS managed policies (AWSLambdaBasicExecutionRole, ...) from moto's copy of AWS's
documents. Why not moto's roles: its CloudFormation stores inline policies as Python reprs and
attaches no managed policy.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from fargate_ops_cli.local.clients import ClientFactory, as_world
from fargate_ops_cli.local.iam.policy import Statement, StatementRef, parse_statements
from fargate_ops_cli.local.stack import DeployedStack, Resolver


@dataclass(frozen=True)
class RolePolicies:
    arn: str
    logical_id: str
    statements: tuple[Statement, ...]

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def references_resource_tags(self) -> bool:
        return any(k.startswith("aws:resourcetag/") for s in self.statements for k in s.condition_keys)


@dataclass
class PolicyStore:
    roles: dict[str, RolePolicies] = field(default_factory=dict)  # role ARN -> its policies

    def for_role(self, role_arn: str) -> RolePolicies | None:
        return self.roles.get(role_arn)

    def statements(self) -> list[StatementRef]:
        return [s.ref for role in self.roles.values() for s in role.statements]


def load(stack: DeployedStack, clients: ClientFactory) -> PolicyStore:
    resolver = Resolver(stack, clients, stack.parameters)
    resources = stack.template["Resources"]
    store = PolicyStore()
    with as_world():
        attached = _attached_policies(resources)
        for logical_id, resource in resources.items():
            if resource.get("Type") != "AWS::IAM::Role":
                continue
            props = resource.get("Properties", {})
            statements: list[Statement] = []
            for policy in props.get("Policies", []):
                document = resolver.resolve(policy["PolicyDocument"])
                statements += parse_statements(document, logical_id, str(policy["PolicyName"]))
            for name, document in attached.get(logical_id, []):
                statements += parse_statements(resolver.resolve(document), logical_id, name)
            for managed_arn in resolver.resolve(props.get("ManagedPolicyArns", [])):
                statements += parse_statements(_managed_document(managed_arn), logical_id, managed_arn)
            # The role's ARN, as IAM forms it (asking moto's IAM would load a whole service model).
            path = str(resolver.resolve(props.get("Path", "/")))
            arn = f"arn:aws:iam::{clients.account_id}:role{path}{stack.physical_ids[logical_id]}"
            store.roles[arn] = RolePolicies(arn, logical_id, tuple(statements))
    return store


def _attached_policies(resources: dict[str, Any]) -> dict[str, list[tuple[str, Any]]]:
    """AWS::IAM::Policy resources, by the role they attach to ({"Ref": role})."""
    attached: dict[str, list[tuple[str, Any]]] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            props = resource.get("Properties", {})
            for role in props.get("Roles", []):
                if isinstance(role, dict) and "Ref" in role:
                    name = str(props.get("PolicyName", logical_id))
                    attached.setdefault(role["Ref"], []).append((name, props["PolicyDocument"]))
    return attached


class UnknownManagedPolicyError(LookupError):
    """A ManagedPolicyArns entry that is neither an AWS managed policy nor one of the stack's."""


def _managed_document(policy_arn: str) -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    if not policy_arn.startswith("arn:aws:iam::aws:policy/"):
        raise UnknownManagedPolicyError(f"{policy_arn}: only AWS managed policies are modelled")
    documents = _aws_managed_documents(aws_managed_policies_data)
    name = policy_arn.rsplit("/", 1)[-1]
    if name not in documents:
        raise UnknownManagedPolicyError(f"{policy_arn}: no such AWS managed policy")
    return dict(documents[name]["Document"])


@functools.lru_cache(maxsize=1)
def _aws_managed_documents(data: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(data)
    return parsed
