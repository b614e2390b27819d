"""What a deploy step works with: settings, adapters (built on first use) and the task token."""

from __future__ import annotations

from dataclasses import dataclass

from fargate_ops.aws.adapters import Adapters
from fargate_ops.aws.sns import SnsAdapter


@dataclass
class StepContext(Adapters):
    task_token: str | None = None

    def sns_for(self, topic_arn: str | None) -> SnsAdapter:
        """The stack's topic, or a deploy's own ``notification_topic``."""
        if topic_arn is None or topic_arn == self.settings.topic_arn:
            return self.sns
        return SnsAdapter(self.client_factory("sns"), topic_arn)
