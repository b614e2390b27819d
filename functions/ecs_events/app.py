"""EcsEventsFunction: reacts to ECS task/service/deployment events and CloudWatch alarm changes.

Event: an EventBridge event. Returns ``{"outcome": "..."}``. Errors propagate so EventBridge/Lambda
retries and the dead-letter queue see them.
"""

from __future__ import annotations

from typing import Any

from fargate_ops.observability import bind, count, entry_point, logger
from fargate_ops.settings import Settings


@entry_point
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    from fargate_ops.models.events import parse_event
    from fargate_ops.reactions import Reactor, react

    settings = Settings.from_env()
    parsed = parse_event(event)
    bind(event_id=parsed.id, detail_type=parsed.detail_type)
    outcome = react(parsed, Reactor(settings))
    logger.info("event handled", extra={"outcome": outcome})
    count("EventActed" if not outcome.startswith("ignored") else "EventIgnored")
    return {"outcome": outcome}
