"""The local IAM check: every application call authorised as its principal, refused as AWS refuses.

Installed as `clients.COUNTER.authorize` (botocore's before-call, where the call is counted): an answer
other than None short-circuits the request with that error response, so the handler or the state
machine's integration gets the ClientError AWS would send (AccessDeniedException for ECS, Lambda,
Step Functions and DynamoDB; AccessDenied for ELB and CloudWatch; AuthorizationError for SNS).

Decisions are cached per (role, action, resource, context): a run asks the same few questions
thousands of times. Each first decision also records which statements allowed it, and whether one
statement alone did: the mutation test (tests/iam/) drops each such statement and expects a denial.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fargate_ops_cli.local.clients import Principal
from fargate_ops_cli.local.iam import requests
from fargate_ops_cli.local.iam.evaluator import Decision, evaluate
from fargate_ops_cli.local.iam.loader import PolicyStore
from fargate_ops_cli.local.iam.policy import AuthRequest, StatementRef

# boto3 service -> (error code, HTTP status) of an authorisation failure, as each service spells it
_REFUSALS = {
    "elbv2": ("AccessDenied", 403),
    "cloudwatch": ("AccessDenied", 403),
    "iam": ("AccessDenied", 403),
    "sts": ("AccessDenied", 403),
    "s3": ("AccessDenied", 403),
    "sqs": ("AccessDenied", 403),
    "sns": ("AuthorizationError", 403),
    "lambda": ("AccessDeniedException", 403),
}
_DEFAULT_REFUSAL = ("AccessDeniedException", 400)  # ECS, Step Functions, DynamoDB, EventBridge...


@dataclass(frozen=True)
class Denial:
    at: float
    principal: str  # the assumed-role session ARN
    action: str
    resource: str
    call: str  # service:Operation, the call that was refused
    explicit: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "call": self.call,
            "explicit_deny": self.explicit,
            "message": self.message,
        }


@dataclass
class StatementUse:
    allowed: set[str] = field(default_factory=set)  # actions this statement allowed
    alone: set[str] = field(default_factory=set)  # actions it was the only statement to allow


class _MotoLookups:
    def __init__(self, account: str, region: str) -> None:
        self._account, self._region = account, region
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

    def next_task_definition_revision(self, family: str) -> int:
        from fargate_ops_cli.local.moto_hooks import next_task_definition_revision

        return next_task_definition_revision(self._account, self._region, family)

    def state_machine_of_task_token(self, token: str) -> str | None:
        from fargate_ops_cli.local.moto_hooks import state_machine_of_task_token

        return state_machine_of_task_token(self._account, self._region, token)

    def _client(self, service: str) -> Any:
        """One boto3 client per service (making one costs ~30 ms: a run over 1,000 services checks the
        tags of each); boto3 clients are thread-safe."""
        with self._clients_lock:
            if service not in self._clients:
                import boto3

                self._clients[service] = boto3.client(service, region_name=self._region)  # type: ignore[call-overload]
            return self._clients[service]

    def _ecs_tags(self, arn: str) -> dict[str, str]:
        """From moto's ECS backend directly, as ListTagsForResource answers (a run over 1,000 services
        checks a tag condition per call: through botocore each look-up cost ~20 ms)."""
        from fargate_ops_cli.local.world.moto_access import Backends

        try:
            tags = Backends(self._account, self._region).ecs.list_tags_for_resource(arn)
        except Exception:  # moto raises its own exception classes for a missing resource: untagged
            return {}
        return {str(t["key"]): str(t["value"]) for t in tags or []}

    def resource_tags(self, arn: str) -> dict[str, str]:
        """aws:ResourceTag/*: the tags the resource has now (ECS resources, ELB listeners, rules, target
        groups and load balancers, ECR repositories, IAM roles, ENIs, log groups; others, and resources
        that do not exist, read as untagged)."""
        from botocore.exceptions import ClientError

        from fargate_ops_cli.local.clients import as_world

        with as_world():
            try:
                if ":ecs:" in arn:
                    return self._ecs_tags(arn)
                if ":elasticloadbalancing:" in arn:
                    elbv2 = self._client("elbv2")
                    found = elbv2.describe_tags(ResourceArns=[arn]).get("TagDescriptions", [])
                    return {t["Key"]: t["Value"] for d in found for t in d.get("Tags", [])}
                if ":ecr:" in arn and ":repository/" in arn:  # an image's actions authorise on it
                    ecr = self._client("ecr")
                    repository_tags = ecr.list_tags_for_resource(resourceArn=arn).get("tags", [])
                    return {t["Key"]: t["Value"] for t in repository_tags}
                if ":ec2:" in arn and ":network-interface/" in arn:
                    ec2 = self._client("ec2")
                    eni = arn.rsplit("/", 1)[-1]
                    found = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"]
                    return {t["Key"]: t["Value"] for e in found for t in e.get("TagSet", [])}
                if ":logs:" in arn and ":log-group:" in arn:
                    logs = self._client("logs")
                    return dict(logs.list_tags_for_resource(resourceArn=arn).get("tags", {}))
                if ":iam::" in arn and ":role/" in arn:
                    iam = self._client("iam")
                    role = arn.rsplit("/", 1)[-1]
                    return {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role).get("Tags", [])}
            except (ClientError, NotImplementedError):  # moto tags no tasks
                return {}
        return {}

    def topic_key(self, topic_arn: str) -> str | None:
        """The ARN of the KMS key a topic encrypts under (its KmsMasterKeyId may be an id, an alias or an
        ARN), or None for a topic without one (or that does not exist)."""
        from botocore.exceptions import ClientError

        from fargate_ops_cli.local.clients import as_world

        with as_world():
            try:
                attributes = self._client("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"]
                key = attributes.get("KmsMasterKeyId")
                if not key:
                    return None
                return str(self._client("kms").describe_key(KeyId=key)["KeyMetadata"]["Arn"])
            except ClientError:
                return None


class IamEnforcer:
    def __init__(
        self,
        store: PolicyStore,
        account: str,
        region: str,
        now: Callable[[], float],
        in_interpreter_thread: Callable[[], bool] = lambda: False,
        lookups: requests.Lookups | None = None,
    ) -> None:
        self.store = store
        self.account, self.region = account, region
        self._now = now
        self._in_interpreter_thread = in_interpreter_thread
        self._lookups = lookups or _MotoLookups(account, region)
        self._cache: dict[tuple[str, AuthRequest], Decision] = {}
        self._lock = threading.Lock()
        self.denials: list[Denial] = []
        self.use: dict[StatementRef, StatementUse] = {}
        self.checked_calls = 0
        self.on_denial: Callable[[Denial], None] | None = None

    def __call__(self, principal: Principal | None, model: Any, params: dict[str, Any]) -> Any:
        service = model.service_model.service_name
        if principal is None:
            if not self._in_interpreter_thread():
                return None  # an operator's call (a human's credentials): counted, not checked
            # Every interpreter thread descends from an execution thread acting as its state machine;
            # one that does not would pass unchecked, so refuse it instead.
            principal = Principal(f"arn:aws:iam::{self.account}:role/unattributed", "unknown")
        call = requests.Call(service, model.name, dict(params), self.region, self.account)
        role = self.store.for_role(principal.role_arn)
        for request in requests.authorisations(call, self._lookups):
            if role is not None and role.references_resource_tags and request.resource != "*":
                # Read only when a statement conditions on them: the tags can change, so the cache
                # key must hold them (as the request context does).
                tags = self._lookups.resource_tags(request.resource)
                request = request.with_context({f"aws:ResourceTag/{k}": v for k, v in tags.items()})
            decision = self.decide(principal.role_arn, request)
            if not decision.allowed:
                return self._refuse(principal, call, request, decision)
        with self._lock:
            self.checked_calls += 1
        return None

    def decide(self, role_arn: str, request: AuthRequest) -> Decision:
        key = (role_arn, request)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        role = self.store.for_role(role_arn)
        decision = evaluate(role.statements if role else (), request)
        with self._lock:
            self._cache[key] = decision
            if decision.allowed:
                for ref in decision.statements:
                    use = self.use.setdefault(ref, StatementUse())
                    use.allowed.add(request.action)
                    if len(decision.statements) == 1:
                        use.alone.add(request.action)
        return decision

    def _refuse(
        self, principal: Principal, call: requests.Call, request: AuthRequest, decision: Decision
    ) -> dict[str, Any]:
        role_name = principal.role_arn.rsplit("/", 1)[-1]
        session = f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{principal.session}"
        # SNS spells its prefix in capitals in its messages (SNS:Publish); the others as in policies.
        action = "SNS:" + request.action[4:] if request.action.startswith("sns:") else request.action
        why = (
            "with an explicit deny in an identity-based policy"
            if decision.explicit_deny
            else f"because no identity-based policy allows the {action} action"
        )
        message = (
            f"User: {session} is not authorized to perform: {action} on resource: {request.resource} {why}"
        )
        denial = Denial(
            self._now(),
            session,
            request.action,
            request.resource,
            f"{call.service}:{call.operation}",
            decision.explicit_deny,
            message,
        )
        with self._lock:
            self.denials.append(denial)
            number = len(self.denials)
        if self.on_denial is not None:
            self.on_denial(denial)
        code, status = _REFUSALS.get(call.service, _DEFAULT_REFUSAL)
        return {
            "Error": {"Code": code, "Message": message},
            "message": message,
            "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": str(uuid.UUID(int=number))},
        }

    def summary(self) -> dict[str, Any]:
        """The report's `iam` section: denials, and which statements allowed what."""
        with self._lock:
            use = sorted(self.use.items(), key=lambda item: str(item[0]))
            return {
                "enforced": True,
                "checked_calls": self.checked_calls + len(self.denials),
                "denials": [d.as_dict() | {"at": d.at} for d in self.denials],
                "statements_used": [
                    {
                        "statement": str(ref),
                        "key": ref.key,
                        "allowed": sorted(u.allowed),
                        "alone": sorted(u.alone),
                    }
                    for ref, u in use
                ],
            }
