"""The one way through the reactions: an event's type picks its route, its facts are read once, then
the deploy side acts (a running deploy waits on these events: resume it or fail it), then the watch
side (the service's timeline, and what people must be told).

    functions/ecs_events/app.py -> react(event, reactor)
        ROUTES[type(event)]: facts(event) -> deploy_wait(facts) -> watch(facts)

Adding an event type is one line in ``ROUTES``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fargate_ops.frozen import frozen
from fargate_ops.models import events
from fargate_ops.observability import count
from fargate_ops.reactions import facts as read
from fargate_ops.reactions.deploy_waits import alarm, deployment_state, service_action
from fargate_ops.reactions.deploy_waits import task_stopped as deploy_task_stopped
from fargate_ops.reactions.outcome import Outcome, OutcomeKind
from fargate_ops.reactions.watch import service_events
from fargate_ops.reactions.watch import task_stopped as watch_task_stopped

if TYPE_CHECKING:
    from fargate_ops.models.events import AnyEvent
    from fargate_ops.reactions.reactor import Reactor

Side = Callable[[Any, "Reactor"], Outcome]


@frozen
class Route:
    facts: Callable[[Any], read.Facts]
    deploy_wait: Side | None  # None: no deploy waits on this kind of event
    watch: Side | None
    unwatched: str = ""  # why the watch side has nothing to do with this kind of event


ROUTES: dict[type, Route] = {
    events.TaskStateChange: Route(
        read.task_facts, deploy_task_stopped.on_task_state_change, watch_task_stopped.on_task_state_change
    ),
    events.ServiceAction: Route(
        read.service_action_facts, service_action.on_service_action, service_events.on_service_action
    ),
    events.DeploymentStateChange: Route(
        read.deployment_facts,
        deployment_state.on_deployment_state_change,
        service_events.on_deployment_state_change,
    ),
    events.AlarmStateChange: Route(
        read.AlarmFacts, alarm.on_alarm_state_change, None, unwatched="alarms are the deploy engine's"
    ),
    # Container instances are EC2-only noise for a Fargate tool.
    events.ContainerInstanceStateChange: Route(
        read.OtherFacts, None, None, unwatched="EC2 container instances are not watched"
    ),
}
NOT_WATCHED = Route(read.OtherFacts, None, None, unwatched="not an event fargate-ops watches")


@frozen
class Reaction:
    deploy_wait: Outcome
    watch: Outcome

    @property
    def kind(self) -> OutcomeKind:
        """For the metric: acted if either side did; a duplicate if a side had handled it before."""
        kinds = {self.deploy_wait.kind, self.watch.kind}
        for kind in (OutcomeKind.ACTED, OutcomeKind.DUPLICATE):
            if kind in kinds:
                return kind
        return OutcomeKind.IGNORED


def react(event: AnyEvent, reactor: Reactor) -> Reaction:
    """Both sides' outcomes for one event (for the handler's result, its log line and metric)."""
    sources = reactor.settings.event_sources
    watch_refusal = sources.refusal(event.account, event.region) if sources else ""
    if watch_refusal:
        count("EventFromElsewhere")
        return Reaction(Outcome.ignored(watch_refusal), Outcome.ignored(watch_refusal))
    route = ROUTES.get(type(event), NOT_WATCHED)
    facts = route.facts(event)
    return Reaction(react_deploy_waits(event, reactor, facts), _watch_side(route, facts, reactor))


def react_deploy_waits(event: AnyEvent, reactor: Reactor, facts: read.Facts | None = None) -> Outcome:
    """The deploy side (alone: tests of what it costs and does without the watch side)."""
    sources = reactor.settings.event_sources
    refusal = sources.deploy_refusal(event.account, event.region) if sources else ""
    if refusal:
        return Outcome.ignored(refusal)
    route = ROUTES.get(type(event), NOT_WATCHED)
    return _deploy_side(route, facts if facts is not None else route.facts(event), reactor)


def _deploy_side(route: Route, facts: read.Facts, reactor: Reactor) -> Outcome:
    return route.deploy_wait(facts, reactor) if route.deploy_wait else Outcome.ignored()


def _watch_side(route: Route, facts: read.Facts, reactor: Reactor) -> Outcome:
    return route.watch(facts, reactor) if route.watch else Outcome.ignored(route.unwatched)
