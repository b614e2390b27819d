"""Which target groups the load balancers send traffic to: how the reconciler tells an idle slot of a
blue/green pair that no deploy has recorded yet (domain/slots.is_idle_slot).

Read only for a service about to be raised from zero that no deploy has recorded as a slot and that
is behind a load balancer, so a run over services without that pays nothing. One reader per run:
each load balancer's listeners and rules are read once (DescribeTargetGroups names a target group's
load balancers; DescribeListeners, then DescribeRules per listener, whose default rule carries the
listener's default actions).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import translate
from fargate_ops.domain.slots import forward_shares, is_idle_slot

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client


class TrafficReader:
    def __init__(self, elbv2: ElasticLoadBalancingv2Client) -> None:
        self._elb = elbv2
        self._balancers: dict[str, tuple[str, ...]] = {}  # target group -> its load balancers
        self._forwards: dict[str, list[dict[str, int]]] = {}  # load balancer -> its forwards' shares

    def is_idle_slot(self, target_groups: Sequence[str]) -> bool:
        balancers = {b for group in target_groups for b in self._balancers_of(group)}
        return is_idle_slot(target_groups, [f for b in sorted(balancers) for f in self._forwards_of(b)])

    def _balancers_of(self, target_group: str) -> tuple[str, ...]:
        if target_group not in self._balancers:
            try:
                found = self._elb.describe_target_groups(TargetGroupArns=[target_group])["TargetGroups"]
            except ClientError as err:
                raise translate(err, "elasticloadbalancing:DescribeTargetGroups") from err
            self._balancers[target_group] = tuple(b for g in found for b in g.get("LoadBalancerArns", []))
        return self._balancers[target_group]

    def _forwards_of(self, balancer: str) -> list[dict[str, int]]:
        if balancer in self._forwards:
            return self._forwards[balancer]
        forwards: list[dict[str, int]] = []
        try:
            for page in self._elb.get_paginator("describe_listeners").paginate(LoadBalancerArn=balancer):
                for listener in page.get("Listeners", []):
                    forwards.append(forward_shares(listener.get("DefaultActions", [])))
                    rules = self._elb.get_paginator("describe_rules").paginate(
                        ListenerArn=listener["ListenerArn"]
                    )
                    forwards += [
                        forward_shares(r.get("Actions", [])) for p in rules for r in p.get("Rules", [])
                    ]
        except ClientError as err:
            raise translate(err, "elasticloadbalancing:DescribeListeners/DescribeRules") from err
        self._forwards[balancer] = [f for f in forwards if f]
        return self._forwards[balancer]
