"""Acquire lease: take the application's lease, its slots and routes, create the deploy record, register
a new application; all in one transaction (aws/store_leases.py).

The document must come from a running execution of the deploy state machine named by the deploy id,
whose input is the document's (DescribeExecution): a document handed to the function by anyone else
begins nothing. A lease that ran out is taken over only once its holder's execution has ended: a
deploy still running (its lease ran out over a long wait) keeps its application.

The record starts with everything an operator reads (docs/deploys.md): the planned steps, step 0, the
weights as they are, an empty analysis, both slots. The watched alarms get this deploy in their watch
items, so the alarm reaction can find it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.aws.store import ApplicationRecord
from fargate_ops.deploy import record, trust
from fargate_ops.deploy.duration import waits_of
from fargate_ops.domain import deploy as decisions
from fargate_ops.domain.deploy_duration import lease_seconds
from fargate_ops.errors import DeployInputError, LeaseHeldError
from fargate_ops.models.deploy import parse_input

if TYPE_CHECKING:
    from fargate_ops.aws.records import Lease
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def _execution_problem(doc: DeployDocument, ctx: StepContext) -> str | None:
    execution = ctx.sfn.execution(doc.execution) if doc.execution else None
    if execution is None:
        return "no execution by the document's execution ARN"
    machine = ctx.settings.deploy_state_machine_name
    if machine is not None and not execution.state_machine_arn.endswith(f":stateMachine:{machine}"):
        return "the execution is not the deploy state machine's"
    if not execution.running or execution.name != doc.deploy_id:
        return "the execution is not running, or is not named by the deploy id"
    try:
        asked = parse_input(execution.input)
    except DeployInputError:
        return "the execution's input is not a deploy input"
    if trust.input_digest(asked) != trust.input_digest(doc):
        return "the input differs from the execution's"
    if asked.slots and not set(asked.slots) <= set(doc.slots or []):
        return "slots differ from the execution's input"
    if asked.listener_arn and asked.listener_arn != doc.listener_arn:
        return "listener_arn differs from the execution's input"
    return None


def _application_problem(doc: DeployDocument, ctx: StepContext) -> str | None:
    app = ctx.store.get_application(doc.cluster, doc.application)
    if app is None:
        return None if doc.new_application else "the application has no record"
    if doc.listener_arn != app.listener_arn or sorted(doc.slots or []) != sorted(app.slots):
        return "slots or listener differ from the application's"
    return None


def _ran_out(held: LeaseHeldError, now: float, ctx: StepContext) -> Lease:
    """The lease in the way, if it ran out and its execution ended; else the refusal stands."""
    lease: Lease | None = held.lease
    if lease is None or lease.lease_expires_at >= now:
        raise held
    if lease.execution is not None:
        execution = ctx.sfn.execution(lease.execution)
        if execution is not None and execution.running:
            raise LeaseHeldError(
                f"{held} (its lease ran out at {clock.iso(lease.lease_expires_at)}, but its execution is "
                "still running: it keeps the application until it ends)",
                holder=held.holder,
            ) from None
    return lease


def run(doc: DeployDocument, ctx: StepContext) -> DeployDocument:
    live, green = doc.require_slots()
    why = _execution_problem(doc, ctx) or _application_problem(doc, ctx)
    if why is not None:
        raise trust.refuse("acquire_lease", doc, why)
    now = clock.now_epoch()
    seconds = lease_seconds(waits_of(doc))
    new_application = None
    if doc.new_application:
        if doc.slots is None or len(doc.slots) != 2 or doc.listener_arn is None:
            raise DeployInputError("slots", "the plan step did not resolve the slots and listener")
        new_application = ApplicationRecord(
            cluster=doc.cluster,
            application=doc.application,
            slots=(doc.slots[0], doc.slots[1]),
            listener_arn=doc.listener_arn,
            target_groups={live.service: live.target_group_arn, green.service: green.target_group_arn},
            live_slot=live.service,
        )

    def begin(ran_out: Lease | None = None) -> None:
        ctx.store.begin_deploy(
            cluster=doc.cluster,
            application=doc.application,
            deploy_id=doc.deploy_id,
            execution=doc.execution,
            now=now,
            lease_seconds=seconds,
            deploy_record={**record.initial(doc, now), trust.INPUT_DIGEST: trust.input_digest(doc)},
            new_application=new_application,
            slots=[live.service, green.service],
            routes=[arn for arn in (doc.listener_arn, doc.test_listener_arn) if arn],
            ran_out=ran_out,
        )

    try:
        begin()
    except LeaseHeldError as held:
        ran_out = _ran_out(held, now, ctx)
        begin(ran_out)
        doc.notes.append(f"took over the lease of {ran_out.deploy_id}: it ran out after its execution ended")
    if doc.alarms:
        ctx.store.watch_alarms(doc.alarms, doc.deploy_id)
    doc.status = decisions.RUNNING
    doc.lease_expires_at = now + seconds
    return doc
