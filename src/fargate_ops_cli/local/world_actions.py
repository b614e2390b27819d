"""Timeline actions a third party takes on the world while the application runs.

`forge_step`: someone invokes the deploy-step function directly with a document of their own, as any
principal allowed lambda:InvokeFunction on it could; the function runs as itself (its role, its IAM),
and what it answers is narrated.

`edit_listener`: someone (a console user, another pipeline, Terraform) rewrites a listener's default
action or a rule's actions through the ELB API. It goes through the runtime's boto3 client as the
world, so ELB validates it as it would any call, and it is not counted as the application's call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fargate_ops_cli.local.clients import as_world

if TYPE_CHECKING:
    from fargate_ops_cli.local.runtime import LocalRuntime
    from fargate_ops_cli.local.scenario import EditListenerAction, ForgeStepAction
    from fargate_ops_cli.local.world.provision import ProvisionedWorld


def edit_listener(runtime: LocalRuntime, world: ProvisionedWorld, edit: EditListenerAction) -> str:
    """Applies the edit; returns what the narrative says about it."""
    route = world.routes[edit.route]
    actions = edit.elbv2(world.target_groups)
    with as_world():
        elbv2 = runtime.clients.client("elbv2")
        if route.rule is not None:
            elbv2.modify_rule(RuleArn=route.arn, Actions=actions)
        else:
            elbv2.modify_listener(ListenerArn=route.arn, DefaultActions=actions)
    if edit.forward is not None:
        what = "forward " + ", ".join(f"{name} {weight}" for name, weight in edit.forward.items())
    else:
        assert edit.fixed_response is not None
        what = f"answer {edit.fixed_response.status} itself"
    return f"edits {route.label}: {what}"


def forge_step(runtime: LocalRuntime, world: ProvisionedWorld, forged: ForgeStepAction) -> str:
    """Invokes the deploy-step function with the forged document; returns what the narrative says."""
    document: dict[str, Any] = dict(forged.document)
    if forged.route is not None:
        document["listener_arn"] = world.routes[forged.route].arn
    if forged.slots is not None:
        for role, name in zip(("live", "green"), forged.slots, strict=True):
            service = world.services[name]
            document[role] = {
                "service": name,
                "service_arn": service.arn,
                "target_group_arn": service.target_group_arn,
                "task_definition": service.task_definition_arn,
            }
    deploy_id = str(document.get("deploy_id", "forged"))
    execution = f"arn:aws:states:{world.region}:{world.account_id}:execution:fargate-ops-deploy:{deploy_id}"
    document.setdefault("execution", execution)
    what = f"invokes the deploy-step function directly ({forged.step}, a document of its own)"
    try:
        runtime.invoke("DeployStepFunction", {"step": forged.step, "deploy": document})
    except RuntimeError as refused:
        return f"{what}: refused: {refused}"
    return f"{what}: accepted"
