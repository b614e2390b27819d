"""The deploy record (what operators read, docs/deploys.md), projected from the deploy document here.

Steps say which document fields the record should now show (``save(ctx, doc, "green", "step_index")``);
this module is the one place that says how each field is written, and what a new record holds. Values
that exist only in the record (``finished_at``, ``live_slot``, ...) are passed by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fargate_ops import clock
from fargate_ops.deploy.waiting import WAITING
from fargate_ops.domain import deploy as decisions
from fargate_ops.domain.redaction import redacted_change
from fargate_ops.models.deploy import DeployInput
from fargate_ops.models.structs import dump, field_names

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument, SlotState


def _slot(slot: SlotState | None) -> dict[str, Any] | None:
    return dump(slot) if slot is not None else None


PROJECTIONS: dict[str, Callable[[DeployDocument], Any]] = {
    "status": lambda doc: doc.status,
    "step_index": lambda doc: doc.step_index,
    "weights": lambda doc: dict(doc.weights or {}),
    "live": lambda doc: _slot(doc.live),
    "green": lambda doc: _slot(doc.green),
    "green_task_definition": lambda doc: doc.green.task_definition if doc.green else None,
    "notes": lambda doc: list(doc.notes),
    "rollback_reason": lambda doc: doc.rollback_reason,
}


def fields(doc: DeployDocument, *names: str) -> dict[str, Any]:
    """The record's values of these document fields."""
    return {name: PROJECTIONS[name](doc) for name in names}


def save(
    ctx: StepContext,
    doc: DeployDocument,
    *names: str,
    end_wait: bool = False,
    append: Mapping[str, list[Any]] | None = None,
    **record_only: Any,
) -> bool:
    """Write these document fields (and ``record_only`` values) to the record, in one conditional write.

    ``end_wait`` removes ``waiting`` (the step runs after a wait that is over); ``append`` list-appends
    (weight history, analysis). False if the record is not this execution's.
    """
    return ctx.store.update_deploy(
        doc.deploy_id,
        doc.execution,
        {**fields(doc, *names), **record_only},
        remove=[WAITING] if end_wait else (),
        append=append,
    )


def initial(doc: DeployDocument, now: float) -> dict[str, Any]:
    """The record a deploy starts with: everything an operator reads, before anything changed."""
    live, green = doc.require_slots()
    return {
        "deploy_id": doc.deploy_id,
        "cluster": doc.cluster,
        "application": doc.application,
        "status": decisions.RUNNING,
        "strategy": doc.strategy,
        # Environment values are hashed: the record is what operators and `status` read (redaction.py).
        "change": redacted_change(dump(doc.change)),
        # where the events function takes green's weight away, and whose weights recovery reads (neither
        # has the document)
        "listener_arn": doc.listener_arn,
        "live_slot": live.service,
        "green_slot": green.service,
        "live": _slot(live),
        "green": _slot(green),
        "started_at": doc.started_at or clock.iso(now),
        "steps": [dump(s, exclude_none=False) for s in doc.steps],
        "step_index": doc.step_index,
        "weights": dict(doc.weights or {}),
        "weight_history": [{"at": clock.iso(now), "weights": dict(doc.weights or {})}],
        "analysis": [],
        "alarms": list(doc.alarms),
        "notes": list(doc.notes),
        # what a person asked for (every field of the input), for `fargate-ops status`
        "input": _shown_input(doc),
    }


def _shown_input(doc: DeployDocument) -> dict[str, Any]:
    shown: dict[str, Any] = dump(doc, include=field_names(DeployInput))
    shown["change"] = redacted_change(shown["change"])
    return shown
