"""Plan: validate the input, resolve the application, pre-flight it, and plan the traffic steps.

Reads only: a rejected deploy changes nothing. The application record is written by acquire_lease,
under the lease; an adopted service's second slot is created by create_green_slot, after it, and so is
an application's idle slot the cleanup deleted (a clone of the live slot, as adopting does).

Pre-flight: no other deploy holds the application; no other application owns its slots, listener or
rule; its longest path fits the maximum deploy duration; the listener (or rule) forwards to both slots'
target groups with all traffic on one; the live slot runs tasks; the images' containers exist (or the
whole task definition does); the watched alarms exist and none is in ALARM (unless ``ignore_alarms``);
a test listener forwards to both target groups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.aws import keys
from fargate_ops.deploy.duration import check_longest_path
from fargate_ops.domain.adoption import default_green_name, swapped_load_balancers
from fargate_ops.domain.listener import forward_weights
from fargate_ops.domain.slots import Slot, live_and_idle
from fargate_ops.domain.taskdef import check_images
from fargate_ops.errors import (
    DeployInputError,
    LeaseHeldError,
    PreflightError,
    ServiceNotFoundError,
    TaskDefinitionNotFoundError,
)
from fargate_ops.models.deploy import DeployDocument, DeployInput, SlotState, StepSpec, parse_document
from fargate_ops.models.structs import field_names

if TYPE_CHECKING:
    from fargate_ops.aws.store import ApplicationRecord
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.domain.services import ServiceState


def _check_lease(request: DeployInput, ctx: StepContext) -> None:
    """Another running deploy of the application: refuse now, with its name, before reading anything else."""
    lease = ctx.store.lease(request.cluster, request.application)
    if (
        lease is not None
        and lease.deploy_id != request.deploy_id
        and lease.lease_expires_at > clock.now_epoch()
    ):
        raise LeaseHeldError(
            f"{request.application} in {request.cluster} is being deployed by {lease.deploy_id}; "
            "wait for it to end (or abort it) and start again",
            holder=lease.deploy_id,
        )


def _check_owners(request: DeployInput, slot_names: list[str], routes: list[str], ctx: StepContext) -> None:
    """A slot, listener or rule of another application: refuse now, naming it (AcquireLease's transaction
    is what makes this hold however deploys interleave; this read refuses early, before anything else)."""
    owned = [(f"the service {name}", keys.service(request.cluster, name)) for name in slot_names]
    owned += [(route, keys.listener(route)) for route in routes]
    for what, pk in owned:
        owner = ctx.store.owner(pk)
        if owner is not None and owner != request.application:
            raise LeaseHeldError(
                f"{what} belongs to application {owner}, not {request.application}: a slot, listener or "
                "rule serves one application (deploy it as that application, or hand it over)",
                holder=owner,
            )


def _resolve(request: DeployInput, app: ApplicationRecord | None) -> tuple[list[str], str]:
    if app is None:
        if not request.slots:
            raise DeployInputError("slots", "required on the first deploy of an application")
        if not request.listener_arn:
            raise DeployInputError("listener_arn", "required on the first deploy of an application")
        return list(request.slots), request.listener_arn
    if request.slots and not set(request.slots) <= set(app.slots):
        raise DeployInputError("slots", f"differ from the application's recorded slots {list(app.slots)}")
    if request.listener_arn and request.listener_arn != app.listener_arn:
        raise DeployInputError("listener_arn", f"differs from the application's recorded {app.listener_arn}")
    return list(app.slots), app.listener_arn


def _slot(service: ServiceState, weights: dict[str, int]) -> Slot:
    forwarded = [tg for tg in service.target_groups if tg in weights]
    if len(forwarded) != 1:
        raise PreflightError(
            f"the listener must forward to exactly one target group of {service.name} "
            f"(its target groups: {', '.join(service.target_groups) or 'none'})"
        )
    return Slot(service.name, forwarded[0])


def _adopted_slots(
    request: DeployInput, names: list[str], weights: dict[str, int], ctx: StepContext
) -> tuple[list[ServiceState], list[Slot], str] | None:
    """For a single service to adopt: (its state, both slots, the name of the slot to create); else None."""
    if not request.wants_adoption:
        return None
    live_name = names[0]
    green_name = names[1] if len(names) == 2 else default_green_name(live_name)
    if ctx.ecs.describe_service_definition(request.cluster, green_name) is not None:
        if len(names) == 1:
            raise PreflightError(
                f"{green_name} already exists: deploy with slots [{live_name}, {green_name}] "
                "instead of adopting"
            )
        return None  # both slots exist: an ordinary first deploy
    return _cloned_slots(request, live_name, green_name, weights, ctx)


def _cloned_slots(
    request: DeployInput, live_name: str, green_name: str, weights: dict[str, int], ctx: StepContext
) -> tuple[list[ServiceState], list[Slot], str]:
    """The live service's state, both slots, and the idle slot's name: create_green_slot clones the
    live service's configuration into it, on the listener's other target group."""
    definition = ctx.ecs.describe_service_definition(request.cluster, live_name)
    if definition is None:
        raise PreflightError(f"no ACTIVE service {live_name} in cluster {request.cluster} to adopt")
    live_state = ctx.ecs.describe_service(request.cluster, live_name)
    live_slot = _slot(live_state, weights)
    others = [tg for tg in weights if tg != live_slot.target_group_arn]
    if len(others) != 1:
        raise PreflightError(
            "to adopt a service the listener's forward action must hold exactly two target groups "
            f"(its own and the one for the new slot); it holds {len(weights)}"
        )
    swapped_load_balancers(list(definition.get("loadBalancers", [])), live_slot.target_group_arn, others[0])
    return [live_state], [live_slot, Slot(green_name, others[0])], green_name


def _recreated_slot(
    request: DeployInput, names: list[str], weights: dict[str, int], ctx: StepContext
) -> tuple[list[ServiceState], list[Slot], str] | None:
    """A registered application with one slot gone (the cleanup deletes a slot idle for long): the
    slot is created again from the live one, as adopting does. Called only once DescribeServices
    has said a slot is missing; None if, read again, both exist."""
    gone = [name for name in names if ctx.ecs.describe_service_definition(request.cluster, name) is None]
    if not gone:
        return None
    if len(gone) == len(names):
        raise PreflightError(f"neither slot of {request.application} ({', '.join(names)}) exists")
    (idle,) = gone
    live_name = next(name for name in names if name != idle)
    return _cloned_slots(request, live_name, idle, weights, ctx)


def _check_change(request: DeployInput, live: ServiceState, ctx: StepContext) -> None:
    if request.change.task_definition is not None:
        try:
            ctx.ecs.describe_task_definition(request.change.task_definition)
        except TaskDefinitionNotFoundError as err:
            raise DeployInputError("change.task_definition", str(err)) from None
        return
    definition, _ = ctx.ecs.describe_task_definition(live.task_definition)
    check_images(definition, request.change.images or {})
    check_images(definition, request.change.environment or {}, "change.environment")


def _check_alarms(request: DeployInput, ctx: StepContext) -> list[str]:
    if not request.alarms:
        return []
    states = ctx.cloudwatch.alarm_states(request.alarms)
    missing = [name for name in request.alarms if name not in states]
    if missing:
        raise DeployInputError("alarms", f"no CloudWatch alarm named {missing[0]!r}")
    firing = [states[name] for name in request.alarms if states[name].state == "ALARM"]
    if not firing:
        return []
    described = "; ".join(f"{a.name} ({a.reason})" if a.reason else a.name for a in firing)
    if not request.ignore_alarms:
        raise PreflightError(
            f"rollback alarm(s) already in ALARM: {described}. A deploy now would roll back at once; "
            "fix what fires, or start with ignore_alarms: true"
        )
    return [f"started with alarm(s) in ALARM (ignore_alarms): {described}"]


def _check_test_listener(request: DeployInput, slots: list[Slot], ctx: StepContext) -> dict[str, int] | None:
    if request.test_listener_arn is None:
        return None
    weights = ctx.elbv2.weights(request.test_listener_arn)
    missing = [s.target_group_arn for s in slots if s.target_group_arn not in weights]
    if missing:
        raise PreflightError(
            f"the test listener {request.test_listener_arn} must forward to both slots' target groups "
            f"(missing {', '.join(missing)})"
        )
    return {s.target_group_arn: weights[s.target_group_arn] for s in slots}


def plan(request: DeployInput, ctx: StepContext, *, execution: str) -> DeployDocument:
    _check_lease(request, ctx)
    traffic_plan = request.traffic_plan()
    check_longest_path(request, ctx.settings.max_deploy_seconds)
    app = ctx.store.get_application(request.cluster, request.application)
    slot_names, listener_arn = _resolve(request, app)
    routes = [arn for arn in (listener_arn, request.test_listener_arn) if arn]
    _check_owners(request, slot_names, routes, ctx)
    listener_actions = ctx.elbv2.actions(listener_arn)
    weights = forward_weights(listener_actions)
    adopted = _adopted_slots(request, slot_names, weights, ctx) if app is None else None
    if adopted is None:
        if len(slot_names) != 2:
            raise DeployInputError("slots", "name both slots, or set adopt: true to create the second one")
        try:
            services = ctx.ecs.describe_services(request.cluster, slot_names)
        except ServiceNotFoundError:
            adopted = _recreated_slot(request, slot_names, weights, ctx) if app is not None else None
            if adopted is None:
                raise
        else:
            slots = [_slot(service, weights) for service in services]
    if adopted is not None:
        services, slots, green_name = adopted
        slot_names = [slots[0].service, green_name]
    if slots[0].target_group_arn == slots[1].target_group_arn:
        raise PreflightError("both slots use the same target group")
    live_slot, green_slot = live_and_idle(slots, weights)
    by_name = {service.name: service for service in services}
    live = by_name[live_slot.service]
    if live.desired_count < 1:
        raise PreflightError(f"the live slot {live.name} has no desired tasks")
    _check_change(request, live, ctx)
    notes = _check_alarms(request, ctx)
    if app is not None and adopted is not None:
        gone = adopted[2]
        notes.append(f"the idle slot {gone} was gone (the cleanup deletes one idle for long): created again")
    test_weights = _check_test_listener(request, slots, ctx)

    if app is not None and app.live_slot not in (None, live.name):
        notes.append(f"the record said {app.live_slot} was live; the listener weights say {live.name}")
    green = by_name.get(green_slot.service)
    return parse_document(
        {
            **{name: getattr(request, name) for name in field_names(DeployInput)},
            "execution": execution,
            "slots": slot_names,
            "listener_arn": listener_arn,
            "steps": [
                StepSpec(percent=s.percent, bake_seconds=s.bake_seconds, gate=s.gate)
                for s in traffic_plan.steps
            ],
            "live": SlotState(
                service=live.name,
                service_arn=live.arn,
                target_group_arn=live_slot.target_group_arn,
                task_definition=live.task_definition,
                desired_count=live.desired_count,
            ),
            "green": SlotState(
                service=green_slot.service,
                service_arn=green.arn if green is not None else "",
                target_group_arn=green_slot.target_group_arn,
                desired_count=green.desired_count if green is not None else 0,
            ),
            "weights": {s.target_group_arn: weights[s.target_group_arn] for s in slots},
            "listener_actions": listener_actions,
            "test_weights": test_weights,
            "new_application": app is None,
            "adopt_create": adopted is not None,
            "started_at": clock.iso(),
            "notes": notes,
        }
    )
