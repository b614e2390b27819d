"""What a reaction works with: adapters (built on first use), the settings, and a few shared reads.

One ``Reactor`` per event, used by both sides of the pipeline (``pipeline.py``). Its ``store`` answers
the deploy waits' WAIT reads from the one Query that also reads the watch side's own state of the
service, so an event that needs no action costs at most one DynamoDB call for both sides together
(docs/reactions.md, scripts/bench_events.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from fargate_ops import clock
from fargate_ops.aws.adapters import Adapters
from fargate_ops.aws.timeline_store import SharedReadStore, TimelineStore
from fargate_ops.errors import FargateOpsError

if TYPE_CHECKING:
    from fargate_ops.aws.notifier import NotificationTopic
    from fargate_ops.aws.store import Store
    from fargate_ops.domain.alert_policy import AlertPolicy

# EventBridge retries a target for up to 24 h; idempotency markers must outlive that.
IDEMPOTENCY_SECONDS = 48 * 3600
DAY = 86_400


@dataclass
class Reactor(Adapters):
    _task_definitions: dict[str, dict[str, Any] | None] = field(default_factory=dict, init=False, repr=False)

    @property
    def crash_loop_threshold(self) -> int:
        return self.settings.crash_loop_threshold

    @property
    def alert_policy(self) -> AlertPolicy:
        return self.settings.alert_policy

    @cached_property
    def timeline(self) -> TimelineStore:
        return TimelineStore(self.client_factory("dynamodb"), self.settings.table_name)

    @cached_property
    def store(self) -> Store:
        return SharedReadStore(self.client_factory("dynamodb"), self.settings.table_name, self.timeline)

    @cached_property
    def topic(self) -> NotificationTopic:
        from fargate_ops.aws.notifier import NotificationTopic

        return NotificationTopic(self.client_factory("sns"), self.settings.topic_arn)

    def idempotency_expiry(self) -> int:
        return int(clock.now_epoch() + IDEMPOTENCY_SECONDS)

    def timeline_expiry(self) -> int:
        return int(clock.now_epoch() + self.settings.timeline_retention_days * DAY)

    def task_definition(self, arn: str) -> dict[str, Any] | None:
        """The task definition (for its log configuration), or None if it cannot be read.

        Only a crash-loop notification asks, and a missing link must not hold the notification back.
        """
        if not arn:
            return None
        if arn not in self._task_definitions:
            try:
                self._task_definitions[arn] = self.ecs.describe_task_definition(arn)[0]
            except FargateOpsError:
                self._task_definitions[arn] = None
        return self._task_definitions[arn]
