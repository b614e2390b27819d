"""What a deploy step works with: settings, adapters (built on first use) and the task token."""

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
class StepContext:
    settings: Settings
    task_token: str | None = None
    client_factory: Callable[[str], Any] = field(default=clients.client)

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

    def sns_for(self, topic_arn: str | None) -> SnsAdapter:
        """The stack's topic, or a deploy's own ``notification_topic``."""
        if topic_arn is None or topic_arn == self.settings.topic_arn:
            return self.sns
        return SnsAdapter(self.client_factory("sns"), topic_arn)
