"""Register task definition: the green revision, derived from the live slot's or given whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops.domain.taskdef import derive_registration
from fargate_ops.errors import DeployInputError

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument

DEPLOY_TAG = "fargate-ops:deploy-id"


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    if doc.change.task_definition is not None:
        # Given whole: resolve family:revision (or a bare family) to the exact revision ARN.
        definition, _ = ctx.ecs.describe_task_definition(doc.change.task_definition)
        green.task_definition = str(definition["taskDefinitionArn"])
        return doc
    if live.task_definition is None:
        raise DeployInputError("live.task_definition", "the plan step did not record it")
    current, tags = ctx.ecs.describe_task_definition(live.task_definition)
    registration = derive_registration(
        current,
        doc.change.images or {},
        {**tags, DEPLOY_TAG: doc.deploy_id},
        environment=doc.change.environment,
    )
    green.task_definition = ctx.ecs.register_task_definition(registration)
    return doc
