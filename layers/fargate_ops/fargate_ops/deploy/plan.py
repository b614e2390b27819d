"""Plan: validate the input, resolve the application, pre-flight it, and plan the traffic steps.

Reads only: a rejected deploy changes nothing. The application record is written by acquire_lock,
under the lease.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.domain.slots import Slot, live_and_idle
from fargate_ops.domain.taskdef import check_images
from fargate_ops.errors import DeployInputError, PreflightError, TaskDefinitionNotFoundError
from fargate_ops.models.deploy import DeployDocument, DeployInput, SlotState, StepSpec

if TYPE_CHECKING:
    from fargate_ops.aws.store import ApplicationRecord
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.domain.services import ServiceState

# The state machine follows one traffic step for now; longer plans need its bake loop.
MAX_SUPPORTED_STEPS = 1


def _resolve(request: DeployInput, app: ApplicationRecord | None) -> tuple[list[str], str]:
    if app is None:
        if not request.slots:
            raise DeployInputError("slots", "required on the first deploy of an application")
        if not request.listener_arn:
            raise DeployInputError("listener_arn", "required on the first deploy of an application")
        return list(request.slots), request.listener_arn
    if request.slots and set(request.slots) != set(app.slots):
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


def _check_change(request: DeployInput, live: ServiceState, ctx: StepContext) -> None:
    if request.change.images is not None:
        definition, _ = ctx.ecs.describe_task_definition(live.task_definition)
        check_images(definition, request.change.images)
    elif request.change.task_definition is not None:
        try:
            ctx.ecs.describe_task_definition(request.change.task_definition)
        except TaskDefinitionNotFoundError as err:
            raise DeployInputError("change.task_definition", str(err)) from None


def plan(request: DeployInput, ctx: StepContext, *, execution: str) -> DeployDocument:
    traffic_plan = request.strategy.plan()
    if len(traffic_plan.steps) > MAX_SUPPORTED_STEPS:
        raise DeployInputError(
            "strategy.type", f"{request.strategy.type} is not supported yet; use all-at-once"
        )

    app = ctx.store.get_application(request.cluster, request.application)
    slot_names, listener_arn = _resolve(request, app)
    services = ctx.ecs.describe_services(request.cluster, slot_names)
    weights = ctx.elbv2.weights(listener_arn)
    slots = [_slot(service, weights) for service in services]
    if slots[0].target_group_arn == slots[1].target_group_arn:
        raise PreflightError("both slots use the same target group")
    live_slot, green_slot = live_and_idle(slots, weights)
    by_name = {service.name: service for service in services}
    live = by_name[live_slot.service]
    if live.desired_count < 1:
        raise PreflightError(f"the live slot {live.name} has no desired tasks")
    _check_change(request, live, ctx)

    notes = []
    if app is not None and app.live_slot not in (None, live.name):
        notes.append(f"the record said {app.live_slot} was live; the listener weights say {live.name}")
    green = by_name[green_slot.service]
    return DeployDocument.model_validate(
        {
            **request.model_dump(),
            "execution": execution,
            "slots": slot_names,
            "listener_arn": listener_arn,
            "steps": [StepSpec(weight=s.weight, bake_seconds=s.bake_seconds) for s in traffic_plan.steps],
            "live": SlotState(
                service=live.name,
                service_arn=live.arn,
                target_group_arn=live_slot.target_group_arn,
                task_definition=live.task_definition,
                desired_count=live.desired_count,
            ),
            "green": SlotState(
                service=green.name, service_arn=green.arn, target_group_arn=green_slot.target_group_arn
            ),
            "weights": {s.target_group_arn: weights[s.target_group_arn] for s in slots},
            "new_application": app is None,
            "started_at": clock.iso(),
            "notes": notes,
        }
    )
