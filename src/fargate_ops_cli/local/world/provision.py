"""Creates the world of a scenario in moto, through the runtime's boto3 clients, before the app runs.

What moto needs that AWS would not ask for: a VPC with DNS hostnames (moto's awsvpc tasks read the
ENI's private DNS name) and a container `memory` in every task definition. What moto drops from
CreateService (the deployment circuit breaker, the health check grace period, a capacity provider
strategy) is put back on its service, as ECS would keep it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fargate_ops_cli.local.world import hooks as world_hooks
from fargate_ops_cli.local.world.handover import hand_over
from fargate_ops_cli.local.world.moto_access import Backends, keep_service_settings
from fargate_ops_cli.local.world.ports import ClientFactory
from fargate_ops_cli.local.world.routes import ProvisionedRoute, create_routes, routes_forwarding_to
from fargate_ops_cli.local.world.spec import AlarmSpec, ServiceSpec, WorldSpec

NAMESPACE = "AWS/ApplicationELB"


@dataclass(frozen=True)
class ProvisionedService:
    name: str
    arn: str
    task_definition_arn: str
    target_group_arn: str
    container_name: str
    container_port: int


@dataclass(frozen=True)
class ProvisionedWorld:
    """Every name and ARN the scenario runner may pass into deploy inputs."""

    region: str
    account_id: str
    vpc_id: str
    subnet_ids: list[str]
    security_group_id: str
    cluster_name: str
    cluster_arn: str
    load_balancer_arn: str
    load_balancer_name: str
    listener_arn: str  # the first listener
    listener_rule_arn: str | None  # the one-listener shorthand's rule (listener_rule: true)
    target_groups: dict[str, str]  # name -> ARN, in spec order (the first is live)
    services: dict[str, ProvisionedService]
    alarms: dict[str, str] = field(default_factory=dict)  # name -> ARN
    routes: dict[str, ProvisionedRoute] = field(default_factory=dict)  # key -> route, declaration order
    hooks: dict[str, str] = field(default_factory=dict)  # validation hook name -> function ARN

    def traffic_arn(self) -> str:
        """Where the forward weights of the world's one production route live (the listener, or the
        shorthand's rule). A world with several asks `routes_for` per application instead."""
        forwarding = [r for r in self.routes.values() if not r.test and r.forwards]
        if not self.routes:
            return self.listener_rule_arn or self.listener_arn
        if len(forwarding) != 1:
            raise ValueError(
                f"the world has {len(forwarding)} production routes that forward: name one by application"
            )
        return forwarding[0].arn

    def routes_for(self, target_groups: Iterable[str], test: bool = False) -> list[ProvisionedRoute]:
        """The production (or test) listeners and rules whose forward holds all of `target_groups`
        (names): the route of the application whose slots use them."""
        return routes_forwarding_to(self.routes.values(), target_groups, test)

    def route_arn(self, key: str) -> str:
        """A route's ARN by key: "rule web", "listener 8080"."""
        return self.routes[key].arn

    def target_group_name(self, arn: str) -> str:
        return next((name for name, tg_arn in self.target_groups.items() if tg_arn == arn), arn)

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "account_id": self.account_id,
            "vpc_id": self.vpc_id,
            "subnet_ids": list(self.subnet_ids),
            "security_group_id": self.security_group_id,
            "cluster_name": self.cluster_name,
            "cluster_arn": self.cluster_arn,
            "load_balancer_arn": self.load_balancer_arn,
            "load_balancer_name": self.load_balancer_name,
            "listener_arn": self.listener_arn,
            "listener_rule_arn": self.listener_rule_arn,
            "target_groups": dict(self.target_groups),
            "services": {name: vars(s).copy() for name, s in self.services.items()},
            "alarms": dict(self.alarms),
            "routes": {key: vars(r).copy() for key, r in self.routes.items()},
            "hooks": dict(self.hooks),
        }


def metric_dimension(arn: str) -> str:
    """ALB metrics name resources by the ARN's tail: `app/name/id`, `targetgroup/name/id`."""
    return arn.split(":")[-1].removeprefix("loadbalancer/")


def provision(
    spec: WorldSpec, client: ClientFactory, hook_packages: Mapping[str, bytes] | None = None
) -> ProvisionedWorld:
    """`hook_packages`: each hook's zip (world_hooks.package, read next to the scenario)."""
    ec2, elbv2, ecs = client("ec2"), client("elbv2"), client("ecs")
    vpc_id, subnet_ids, sg_id = _network(ec2, spec.region)

    lb = elbv2.create_load_balancer(
        Name=spec.load_balancer.name,
        Subnets=subnet_ids,
        SecurityGroups=[sg_id],
        Scheme="internet-facing",
        Type="application",
        IpAddressType="ipv4",
    )["LoadBalancers"][0]
    target_groups = {tg.name: _target_group(elbv2, vpc_id, spec, tg.name) for tg in spec.target_groups}
    routes = create_routes(elbv2, spec, lb["LoadBalancerArn"], target_groups)
    shorthand_rule = next((r.arn for r in routes if r.rule is not None), None)

    spot = any(s.capacity_provider for s in spec.services)
    # A capacity provider strategy may only name providers associated with the cluster.
    providers = {"capacityProviders": ["FARGATE", "FARGATE_SPOT"]} if spot else {}
    cluster_arn = ecs.create_cluster(clusterName=spec.cluster, **providers)["cluster"]["clusterArn"]
    for group in dict.fromkeys(s.log_group for s in spec.services if s.log_group):
        client("logs").create_log_group(logGroupName=group)
    services = {
        s.name: _service(ecs, spec, s, target_groups[s.target_group_name], subnet_ids, sg_id)
        for s in spec.services
    }
    world = ProvisionedWorld(
        region=spec.region,
        account_id=spec.account_id,
        vpc_id=vpc_id,
        subnet_ids=subnet_ids,
        security_group_id=sg_id,
        cluster_name=spec.cluster,
        cluster_arn=cluster_arn,
        load_balancer_arn=lb["LoadBalancerArn"],
        load_balancer_name=spec.load_balancer.name,
        listener_arn=routes[0].listener_arn,
        listener_rule_arn=shorthand_rule if spec.load_balancer.listeners is None else None,
        target_groups=target_groups,
        services=services,
        routes={r.key: r for r in routes},
        hooks=world_hooks.create(client, spec.hooks, hook_packages or {}),
    )
    hand_over(spec, world, client)
    cloudwatch = client("cloudwatch")
    for alarm in spec.alarms:
        _alarm(cloudwatch, world, alarm)
        world.alarms[alarm.name] = f"arn:aws:cloudwatch:{spec.region}:{spec.account_id}:alarm:{alarm.name}"
    return world


def _network(ec2: Any, region: str) -> tuple[str, list[str], str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    # Two subnets in two zones: an ALB needs two, and ECS spreads a service's tasks across zones.
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{region}{zone}")[
            "Subnet"
        ]["SubnetId"]
        for i, zone in enumerate("ab")
    ]
    sg_id = ec2.create_security_group(
        GroupName="fargate-ops-world", Description="ALB and tasks of the simulated world", VpcId=vpc_id
    )["GroupId"]
    return vpc_id, subnet_ids, sg_id


def _target_group(elbv2: Any, vpc_id: str, spec: WorldSpec, name: str) -> str:
    tg = spec.target_group(name)
    port = next((s.container_port for s in spec.services if s.target_group_name == name), 80)
    arn: str = elbv2.create_target_group(
        Name=name,
        Protocol="HTTP",
        Port=port,
        VpcId=vpc_id,
        TargetType="ip",
        HealthCheckProtocol="HTTP",
        HealthCheckPath=tg.health_check_path,
        HealthCheckIntervalSeconds=tg.health_check_interval_seconds,
        HealthyThresholdCount=tg.healthy_threshold,
        UnhealthyThresholdCount=tg.unhealthy_threshold,
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.modify_target_group_attributes(
        TargetGroupArn=arn,
        Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": str(tg.deregistration_delay_seconds)}
        ],
    )
    return arn


def _service(
    ecs: Any, spec: WorldSpec, s: ServiceSpec, tg_arn: str, subnets: list[str], sg: str
) -> ProvisionedService:
    roles = {
        key: f"arn:aws:iam::{spec.account_id}:role/{name}"
        for key, name in (("taskRoleArn", s.task_role), ("executionRoleArn", s.execution_role))
        if name
    }
    td_arn: str = ecs.register_task_definition(
        **roles,
        family=s.name,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu=str(s.cpu),
        memory=str(s.memory),
        containerDefinitions=[
            {
                "name": s.container_name,
                "image": s.image,
                "essential": True,
                "memory": s.memory,
                "portMappings": [{"containerPort": s.container_port, "protocol": "tcp"}],
                "environment": [{"name": k, "value": v} for k, v in s.environment.items()],
                **_logging(spec, s),
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    kwargs: dict[str, Any] = {}
    if s.tags:
        kwargs["tags"] = [{"key": k, "value": v} for k, v in s.tags.items()]
    if s.capacity_provider:
        kwargs["capacityProviderStrategy"] = [{"capacityProvider": s.capacity_provider, "weight": 1}]
    else:
        kwargs["launchType"] = "FARGATE"
    if s.health_check_grace_period_seconds is not None:
        kwargs["healthCheckGracePeriodSeconds"] = s.health_check_grace_period_seconds
    deployment: dict[str, Any] = {"maximumPercent": 200, "minimumHealthyPercent": 100}
    if s.circuit_breaker is not None:
        deployment["deploymentCircuitBreaker"] = s.circuit_breaker.model_dump()
    service = ecs.create_service(
        cluster=spec.cluster,
        serviceName=s.name,
        taskDefinition=td_arn,
        desiredCount=s.desired_count,
        platformVersion="1.4.0",
        loadBalancers=[
            {"targetGroupArn": tg_arn, "containerName": s.container_name, "containerPort": s.container_port}
        ],
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg], "assignPublicIp": "DISABLED"}
        },
        deploymentConfiguration=deployment,
        **kwargs,
    )["service"]
    moto_service = Backends(spec.account_id, spec.region).ecs.services[f"{spec.cluster}:{s.name}"]
    keep_service_settings(moto_service, {**kwargs, "deploymentConfiguration": deployment})
    return ProvisionedService(
        s.name, service["serviceArn"], td_arn, tg_arn, s.container_name, s.container_port
    )


def _logging(spec: WorldSpec, s: ServiceSpec) -> dict[str, Any]:
    """awslogs to the service's log group, which must exist before a task starts (AWS's awslogs driver
    fails the task otherwise, unless awslogs-create-group is set): the world creates it."""
    if not s.log_group:
        return {}
    options = {"awslogs-group": s.log_group, "awslogs-region": spec.region, "awslogs-stream-prefix": s.name}
    return {"logConfiguration": {"logDriver": "awslogs", "options": options}}


def alarm_dimensions(world: ProvisionedWorld, alarm: AlarmSpec) -> list[dict[str, str]]:
    """ALB publishes per-target-group metrics with both dimensions, whole-LB metrics with one."""
    dims = [{"Name": "LoadBalancer", "Value": metric_dimension(world.load_balancer_arn)}]
    if alarm.target_group is not None:
        tg_arn = world.target_groups[alarm.target_group]
        dims.insert(0, {"Name": "TargetGroup", "Value": metric_dimension(tg_arn)})
    return dims


def _alarm(cloudwatch: Any, world: ProvisionedWorld, alarm: AlarmSpec) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName=alarm.name,
        AlarmDescription=alarm.description,
        Namespace=NAMESPACE,
        MetricName=alarm.metric,
        Dimensions=alarm_dimensions(world, alarm),
        Statistic=alarm.stat,
        Period=alarm.period_seconds,
        EvaluationPeriods=alarm.evaluation_periods,
        DatapointsToAlarm=alarm.datapoints,
        Threshold=alarm.threshold,
        ComparisonOperator=alarm.comparison,
        TreatMissingData=alarm.treat_missing_data,
    )
