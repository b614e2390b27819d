"""What the platform team hands over to fargate-ops: the world tags it, as a platform team would.

The template grants its writes (UpdateService, ModifyListener/ModifyRule, iam:PassRole) only on
resources tagged ``fargate-ops:handover`` with the stack's ``HandoverTagValue``; the world puts that
tag on every slot service, every listener and rule, and every task or execution role its services
name (creating the role: moto's IAM has none until then). ``world.handover_tag: null`` hands over
nothing, to see the denials.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fargate_ops_cli.local.world.spec import HANDOVER_TAG_KEY

if TYPE_CHECKING:
    from fargate_ops_cli.local.world.spec import WorldSpec
_ECS_TASKS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def hand_over(spec: WorldSpec, world: Any, client: Callable[[str], Any]) -> None:
    """Tags what ``world`` (a ProvisionedWorld) holds, as the scenario's ``handover_tag`` says."""
    value = spec.handover_tag
    if value is None:
        return
    ecs, elbv2, iam = client("ecs"), client("elbv2"), client("iam")
    for service in world.services.values():
        ecs.tag_resource(resourceArn=service.arn, tags=[{"key": HANDOVER_TAG_KEY, "value": value}])
    arns = sorted({route.arn for route in world.routes.values()} | {world.listener_arn})
    elbv2.add_tags(ResourceArns=arns, Tags=[{"Key": HANDOVER_TAG_KEY, "Value": value}])
    roles = sorted({name for s in spec.services for name in (s.task_role, s.execution_role) if name})
    for role in roles:
        iam.create_role(
            RoleName=role,
            AssumeRolePolicyDocument=json.dumps(_ECS_TASKS_TRUST),
            Tags=[{"Key": HANDOVER_TAG_KEY, "Value": value}],
        )
