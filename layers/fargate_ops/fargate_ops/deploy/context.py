"""What a deploy step works with: settings, adapters (built on first use), the task token, and when its
state was entered (``$states.context.State.EnteredTime``: retries of a state keep the first entry's)."""

from __future__ import annotations

from dataclasses import dataclass

from fargate_ops import clock
from fargate_ops.aws.adapters import Adapters
from fargate_ops.aws.sns import SnsAdapter


@dataclass
class StepContext(Adapters):
    task_token: str | None = None
    state_entered_at: str | None = None

    def entered_epoch(self) -> float:
        """When the state machine entered this step's state (now, if it did not say)."""
        entered = clock.parse_iso(self.state_entered_at)
        return entered if entered is not None else clock.now_epoch()

    def sns_for(self, topic_arn: str | None) -> SnsAdapter:
        """The stack's topic, or a deploy's own ``notification_topic``."""
        if topic_arn is None or topic_arn == self.settings.topic_arn:
            return self.sns
        return SnsAdapter(self.client_factory("sns"), topic_arn)
