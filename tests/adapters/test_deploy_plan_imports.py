"""The deploy function's first event (the plan step) never imports pydantic: it was most of that cold
start above a bare boto3 client (scripts/bench_cold_start.py), and the deploy models are msgspec's.

In a fresh process, so that what other tests imported does not count: moto answers AWS there, the
world is the one tests/adapters/conftest.py builds (two slots behind one listener), and the handler
serves the plan step as Lambda would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PLAN = """
import json, sys
import boto3
from moto import mock_aws

REGION = "us-east-1"
with mock_aws():
    ec2, elb, ecs = (boto3.client(s, REGION) for s in ("ec2", "elbv2", "ecs"))
    boto3.client("dynamodb", REGION).create_table(
        TableName="ops",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
        BillingMode="PAY_PER_REQUEST",
    )
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=REGION + az)
        for i, az in ((1, "a"), (2, "b"))
    ]
    subnets = [s["Subnet"]["SubnetId"] for s in subnets]
    security = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    balancer = elb.create_load_balancer(Name="web", Subnets=subnets, SecurityGroups=[security])
    groups = [
        elb.create_target_group(Name=n, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")
        for n in ("web-blue", "web-green")
    ]
    groups = [g["TargetGroups"][0]["TargetGroupArn"] for g in groups]
    weights = [{"TargetGroupArn": groups[0], "Weight": 100}, {"TargetGroupArn": groups[1], "Weight": 0}]
    listener = elb.create_listener(
        LoadBalancerArn=balancer["LoadBalancers"][0]["LoadBalancerArn"], Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": weights}}],
    )["Listeners"][0]["ListenerArn"]
    ecs.create_cluster(clusterName="prod")
    definition = ecs.register_task_definition(
        family="web",
        containerDefinitions=[{"name": "app", "image": "web:1", "memory": 512, "essential": True}],
        requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="1024",
    )["taskDefinition"]["taskDefinitionArn"]
    network = {"awsvpcConfiguration": {"subnets": subnets[:1], "securityGroups": [security]}}
    for name, group, count in (("web-blue", groups[0], 2), ("web-green", groups[1], 0)):
        ecs.create_service(
            cluster="prod", serviceName=name, taskDefinition=definition, desiredCount=count,
            launchType="FARGATE", networkConfiguration=network,
            loadBalancers=[{"targetGroupArn": group, "containerName": "app", "containerPort": 80}],
        )
    before = "pydantic" in sys.modules
    import app

    deploy = {
        "deploy_id": "d1", "cluster": "prod", "application": "web", "slots": ["web-blue", "web-green"],
        "listener_arn": listener, "change": {"images": {"app": "web:2"}},
        "strategy": "canary-10-percent-5-minutes",
    }
    done = app.lambda_handler({"step": "plan", "deploy": deploy, "execution": "x"}, None)
    print(json.dumps({"before": before, "after": "pydantic" in sys.modules, "steps": len(done["steps"])}))
"""


def test_the_plan_step_runs_without_importing_pydantic() -> None:
    paths = [ROOT / "functions" / "deploy_step", ROOT / "layers" / "fargate_ops", ROOT / "src"]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(map(str, paths)),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "TABLE_NAME": "ops",
        "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:ops",
        "POWERTOOLS_METRICS_NAMESPACE": "FargateOps",
    }
    env.pop("AWS_PROFILE", None)
    done = subprocess.run(
        [sys.executable, "-c", _PLAN], env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]

    ran = json.loads(done.stdout.strip().splitlines()[-1])

    assert ran == {"before": False, "after": False, "steps": 2}
