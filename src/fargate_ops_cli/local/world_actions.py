"""Timeline actions a third party takes on the world while the application runs.

`edit_listener`: someone (a console user, another pipeline, Terraform) rewrites a listener's default
action or a rule's actions through the ELB API. It goes through the runtime's boto3 client as the
world, so ELB validates it as it would any call, and it is not counted as the application's call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops_cli.local.clients import as_world

if TYPE_CHECKING:
    from fargate_ops_cli.local.runtime import LocalRuntime
    from fargate_ops_cli.local.scenario import EditListenerAction
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
