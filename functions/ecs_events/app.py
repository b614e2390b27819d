"""EcsEventsFunction: reacts to ECS task/service/deployment events and CloudWatch alarm changes.

Event: an EventBridge event. Returns ``{"outcome": "..."}`` (what the deploy side did) and, when the
watch side (timeline, notifications) did something, ``"reaction": "..."``. Errors propagate so
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
    from fargate_ops.reactions.pipeline import react
    from fargate_ops.reactions.reactor import Reactor

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
    reaction = react(parsed, Reactor(settings))
    logger.info(
        "event handled",
        extra={"outcome": str(reaction.deploy_wait), "reaction": str(reaction.watch), "kind": reaction.kind},
    )
    count(f"Event{reaction.kind.value.capitalize()}")  # EventActed, EventIgnored, EventDuplicate
    result = {"outcome": str(reaction.deploy_wait)}
    if reaction.watch.acted_on:
        result["reaction"] = str(reaction.watch)
    return result
