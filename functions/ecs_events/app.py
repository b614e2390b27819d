"""EcsEventsFunction: reacts to ECS task/service/deployment events and CloudWatch alarm changes.

Event: an EventBridge event. Returns ``{"outcome": "..."}`` (what the deploy-wait reactions did) and,
when the reactions outside deploys did something, ``"reaction": "..."``. Errors propagate so
EventBridge/Lambda retries and the dead-letter queue see them; an event that cannot be parsed is
logged with its id, counted (metric ``EventUnparseable``) and dropped: retrying cannot fix it.
"""

from __future__ import annotations

from typing import Any

from fargate_ops.observability import bind, count, entry_point, logger
from fargate_ops.settings import Settings


@entry_point
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    from fargate_ops.models.events import UnparseableEventError, parse_event
    from fargate_ops.reactions import react
    from fargate_ops.reactions.alert_settings import AlertSettings
    from fargate_ops.reactions.router import ServiceReactor, route

    settings = Settings.from_env()
    try:
        parsed = parse_event(event)
    except UnparseableEventError as error:
        logger.warning(
            "event not understood: dropped", extra={"event_id": error.event_id, "error": f"{error}"}
        )
        count("EventUnparseable")
        return {"outcome": "ignored: unparseable event"}
    bind(event_id=parsed.id, detail_type=parsed.detail_type)
    reactor = ServiceReactor(settings, alerting=AlertSettings.from_env())
    outcome = react(parsed, reactor)  # the deploy waits first: they resume or fail running deploys
    reaction = route(parsed, reactor)  # then the timeline, crash loops and warnings outside deploys
    logger.info("event handled", extra={"outcome": outcome, "reaction": reaction})
    count("EventActed" if not outcome.startswith("ignored") else "EventIgnored")
    result = {"outcome": outcome}
    if not reaction.startswith("ignored"):
        result["reaction"] = reaction
    return result
