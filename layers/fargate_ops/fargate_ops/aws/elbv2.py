"""ELBv2: the forward action of a listener (default actions) or of a listener rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fargate_ops import clock
from fargate_ops.aws._errors import translate
from fargate_ops.domain.listener import forward_weights, weight_changes, with_weights
from fargate_ops.errors import FargateOpsError, ListenerNotFoundError, WeightsNotAppliedError

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

NOT_FOUND: dict[str, type[FargateOpsError]] = {
    "ListenerNotFound": ListenerNotFoundError,
    "RuleNotFound": ListenerNotFoundError,
    "LoadBalancerNotFound": ListenerNotFoundError,
}

# ELB's API is eventually consistent: a Describe right after ModifyListener/ModifyRule may still show the
# old action. A write is read back, and a mismatch read again after 1, 2 and 4 s (it usually settles in
# about a second) before WeightsNotAppliedError. Argo Rollouts verifies its target-group weights so too.
VERIFY_BACKOFF_SECONDS = (1.0, 2.0, 4.0)


def is_rule_arn(arn: str) -> bool:
    return ":listener-rule/" in arn


class Elbv2Adapter:
    def __init__(self, client: ElasticLoadBalancingv2Client) -> None:
        self._elb = client

    def actions(self, arn: str) -> list[dict[str, Any]]:
        """A listener's default actions, or a listener rule's actions."""
        try:
            if is_rule_arn(arn):
                rules = self._elb.describe_rules(RuleArns=[arn]).get("Rules", [])
                if not rules:
                    raise ListenerNotFoundError(f"no listener rule {arn}")
                return [dict(a) for a in rules[0].get("Actions", [])]
            listeners = self._elb.describe_listeners(ListenerArns=[arn]).get("Listeners", [])
            if not listeners:
                raise ListenerNotFoundError(f"no listener {arn}")
            return [dict(a) for a in listeners[0].get("DefaultActions", [])]
        except ClientError as err:
            raise translate(err, "elasticloadbalancing:Describe", NOT_FOUND) from err

    def weights(self, arn: str) -> dict[str, int]:
        """Target group ARN to weight of the forward action."""
        return forward_weights(self.actions(arn))

    def set_weights(
        self, arn: str, weights: Mapping[str, int], current_actions: list[dict[str, Any]] | None = None
    ) -> bool:
        """Set the forward weights; returns False (and calls nothing) when they already are so.

        ModifyListener replaces every default action, so the other actions are sent back unchanged;
        nothing else of the listener (port, protocol, certificates) is sent. `current_actions`, when
        the caller already holds them, saves the Describe call.
        """
        actions = current_actions if current_actions is not None else self.actions(arn)
        new_actions = with_weights(actions, weights)
        if new_actions is None:
            return False
        try:
            if is_rule_arn(arn):
                self._elb.modify_rule(RuleArn=arn, Actions=new_actions)  # type: ignore[arg-type]
            else:
                self._elb.modify_listener(ListenerArn=arn, DefaultActions=new_actions)  # type: ignore[arg-type]
        except ClientError as err:
            raise translate(err, "elasticloadbalancing:Modify", NOT_FOUND) from err
        return True

    def verify_weights(self, arn: str, weights: Mapping[str, int]) -> None:
        """Read the forward weights back until they show ``weights``, a bounded number of times."""
        live: dict[str, int] = {}
        for pause in (0.0, *VERIFY_BACKOFF_SECONDS):
            if pause:
                clock.sleep(pause)
            live = self.weights(arn)
            if all(live.get(tg) == weight for tg, weight in weights.items()):
                return
        shown = weight_changes(dict(weights), {tg: live[tg] for tg in weights if tg in live})
        raise WeightsNotAppliedError(
            f"{arn}: after {len(VERIFY_BACKOFF_SECONDS) + 1} reads the listener still shows "
            f"{'; '.join(shown)} (written → read)"
        )

    def healthy_targets(self, target_group_arn: str) -> int:
        """How many targets of the group pass their health checks now."""
        try:
            described = self._elb.describe_target_health(TargetGroupArn=target_group_arn)
        except ClientError as err:
            raise translate(err, "elasticloadbalancing:DescribeTargetHealth", NOT_FOUND) from err
        return sum(
            1
            for target in described.get("TargetHealthDescriptions", [])
            if target.get("TargetHealth", {}).get("State") == "healthy"
        )
