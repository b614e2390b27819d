"""moto-backed fixtures: a table, a topic, and a small Fargate world (two slots behind one listener)."""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from fargate_ops import clients, clock
from fargate_ops.aws.sfn import Execution
from fargate_ops.aws.store import Store
from fargate_ops.deploy.context import StepContext
from fargate_ops.settings import Settings
from fargate_ops_cli.local.stack import create_ops_table

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        clients.clear_cache()  # clients are created inside the mock, never before
        yield
    clients.clear_cache()


@pytest.fixture
def table() -> str:
    return create_ops_table(boto3.client("dynamodb", REGION), "ops")


@pytest.fixture
def store(table: str) -> Store:
    return Store(clients.client("dynamodb"), table)


@pytest.fixture
def topic_arn() -> str:
    return boto3.client("sns", REGION).create_topic(Name="ops")["TopicArn"]


@pytest.fixture
def settings(table: str, topic_arn: str) -> Settings:
    return Settings(table_name=table, topic_arn=topic_arn)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Settings:
    """The functions' environment, as the template sets it."""
    monkeypatch.setenv("TABLE_NAME", settings.table_name)
    monkeypatch.setenv("TOPIC_ARN", settings.topic_arn)
    return settings


@dataclass
class FakeStepFunctions:
    """Records what would complete a task token; ``over`` lists tokens whose wait already ended."""

    successes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    failures: list[tuple[str, str, Any]] = field(default_factory=list)
    over: set[str] = field(default_factory=set)

    def send_success(self, task_token: str, output: dict[str, Any]) -> bool:
        self.successes.append((task_token, output))
        return task_token not in self.over

    def send_failure(self, task_token: str, error: str, cause: Any) -> bool:
        self.failures.append((task_token, error, cause))
        return task_token not in self.over

    # Executions as StartExecution left them: ARN -> (status, input).
    executions: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def start(self, execution_arn: str, given: dict[str, Any]) -> None:
        self.executions.setdefault(execution_arn, ("RUNNING", dict(given)))

    def end(self, execution_arn: str, status: str = "SUCCEEDED") -> None:
        self.executions[execution_arn] = (status, self.executions[execution_arn][1])

    def execution(self, execution_arn: str) -> Execution | None:
        if execution_arn not in self.executions:
            return None
        status, given = self.executions[execution_arn]
        machine, _, name = execution_arn.replace(":execution:", ":stateMachine:").rpartition(":")
        return Execution(execution_arn, name, machine, status, given)


@pytest.fixture
def sfn() -> FakeStepFunctions:
    return FakeStepFunctions()


@pytest.fixture
def api_calls() -> Callable[[str], Counter[str]]:
    """Count the API calls the package's cached client for a service makes (by operation name)."""

    def counting(service: str) -> Counter[str]:
        counter: Counter[str] = Counter()

        def count(event_name: str, **_: Any) -> None:
            counter[event_name.rsplit(".", 1)[-1]] += 1

        clients.client(service).meta.events.register("before-call.*.*", count)
        return counter

    return counting


@dataclass
class World:
    cluster: str
    listener_arn: str
    rule_arn: str
    blue_tg: str
    green_tg: str
    task_definition: str
    subnet: str
    security_group: str
    vpc: str


@pytest.fixture
def world() -> World:
    """Cluster ``prod`` with services web-blue (live, 2 tasks) and web-green (idle) behind one listener."""
    ec2 = boto3.client("ec2", REGION)
    elb = boto3.client("elbv2", REGION)
    ecs = boto3.client("ecs", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    balancer = elb.create_load_balancer(Name="web", Subnets=subnets, SecurityGroups=[group])["LoadBalancers"][
        0
    ]
    target_groups = [
        elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")[
            "TargetGroups"
        ][0]["TargetGroupArn"]
        for name in ("web-blue", "web-green")
    ]
    forward = {
        "Type": "forward",
        "ForwardConfig": {
            "TargetGroups": [
                {"TargetGroupArn": target_groups[0], "Weight": 100},
                {"TargetGroupArn": target_groups[1], "Weight": 0},
            ]
        },
    }
    listener = elb.create_listener(
        LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[forward]
    )["Listeners"][0]["ListenerArn"]
    rule = elb.create_rule(
        ListenerArn=listener,
        Priority=10,
        Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
        Actions=[forward],
    )["Rules"][0]["RuleArn"]
    ecs.create_cluster(clusterName="prod")
    definition = ecs.register_task_definition(
        family="web",
        containerDefinitions=[
            {"name": "app", "image": "web:1.4.1", "memory": 512, "essential": True},
            {"name": "envoy", "image": "envoy:1.21", "memory": 128, "essential": False},
        ],
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="1024",
        tags=[{"key": "team", "value": "web"}],
    )["taskDefinition"]["taskDefinitionArn"]
    network = {"awsvpcConfiguration": {"subnets": subnets[:1], "securityGroups": [group]}}
    for name, target_group, count in (("web-blue", target_groups[0], 2), ("web-green", target_groups[1], 0)):
        ecs.create_service(
            cluster="prod",
            serviceName=name,
            taskDefinition=definition,
            desiredCount=count,
            launchType="FARGATE",
            networkConfiguration=network,
            loadBalancers=[{"targetGroupArn": target_group, "containerName": "app", "containerPort": 80}],
        )
    return World(
        "prod", listener, rule, target_groups[0], target_groups[1], definition, subnets[0], group, vpc
    )


@pytest.fixture
def ctx(settings: Settings, sfn: FakeStepFunctions) -> StepContext:
    context = StepContext(settings, task_token="token-1")
    context.sfn = sfn  # type: ignore[assignment]
    return context


def load_handler(function_dir: str) -> ModuleType:
    """A function's ``app.py``, imported from its folder as the Lambda runtime would."""
    path = ROOT / "functions" / function_dir / "app.py"
    spec = importlib.util.spec_from_file_location(f"handler_{function_dir}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def handler() -> Callable[[str], ModuleType]:
    return load_handler


# Cleanup: the revisions of family web, and a clock the test moves ---------------------------------


@pytest.fixture
def revisions(world: Any) -> list[str]:
    """web:1 (both slots of prod run it) and web:2..web:9 that nothing uses (web:9 is the newest)."""
    client = boto3.client("ecs")
    return [world.task_definition] + [
        client.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": f"web:{n}", "memory": 8}]
        )["taskDefinition"]["taskDefinitionArn"]
        for n in range(2, 10)
    ]


@pytest.fixture
def at() -> Iterator[list[float]]:
    """The package's clock, set by the test: ``at[0]`` is now."""
    now = [clock.now_epoch()]
    clock.set_time_source(lambda: now[0])
    clock.set_sleep(lambda seconds: now.__setitem__(0, now[0] + seconds))
    yield now
    clock.set_time_source(None)
    clock.set_sleep(None)


def tags_of(arn: str) -> dict[str, str]:
    found = boto3.client("ecs").list_tags_for_resource(resourceArn=arn)["tags"]
    return {t["key"]: t["value"] for t in found}


def status_of(arn: str) -> str:
    ecs = boto3.client("ecs")
    try:
        return str(ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["status"])
    except ecs.exceptions.ClientException:
        return "GONE"
