"""The adapters an entry point works with, each built on first use from one client factory.

Deploy steps (`deploy.context.StepContext`) and event reactions (`reactions.Reactor`) both extend
this, so a Lambda builds only the clients its code path touches (cold start) and no adapter is wired
twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from fargate_ops import clients
from fargate_ops.aws.cloudwatch import CloudWatchAdapter
from fargate_ops.aws.ecs import EcsAdapter
from fargate_ops.aws.elbv2 import Elbv2Adapter
from fargate_ops.aws.sfn import StepFunctionsAdapter
from fargate_ops.aws.sns import SnsAdapter
from fargate_ops.aws.store import Store
from fargate_ops.settings import Settings


@dataclass
class Adapters:
    settings: Settings
    client_factory: Callable[[str], Any] = field(default=clients.client, kw_only=True)

    @cached_property
    def ecs(self) -> EcsAdapter:
        return EcsAdapter(self.client_factory("ecs"))

    @cached_property
    def elbv2(self) -> Elbv2Adapter:
        return Elbv2Adapter(self.client_factory("elbv2"))

    @cached_property
    def store(self) -> Store:
        return Store(self.client_factory("dynamodb"), self.settings.table_name)

    @cached_property
    def sfn(self) -> StepFunctionsAdapter:
        return StepFunctionsAdapter(self.client_factory("stepfunctions"))

    @cached_property
    def sns(self) -> SnsAdapter:
        return SnsAdapter(self.client_factory("sns"), self.settings.topic_arn)

    @cached_property
    def cloudwatch(self) -> CloudWatchAdapter:
        return CloudWatchAdapter(self.client_factory("cloudwatch"))
