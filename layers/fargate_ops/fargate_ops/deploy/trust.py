"""What a step may believe of the document it is handed: a deploy document is only data in an event.

Anyone allowed to invoke the deploy-step function can hand it any document, so no step acts on one
before it is checked against what the deploy wrote when it began: its record (the execution that owns
it, the slots and target groups Plan chose, a digest of the input, green's task definition once it was
registered), the application record (slots, listener or rule, target groups) and the lease, which every
step from AcquireLease to Rollback renews (one conditional write: this deploy id and this execution).
A document that does not match changes nothing and is logged (names and ARNs only, never its values).

AcquireLease, which creates the record, checks the execution itself (acquire_lease.py): it must be a
running execution of the deploy state machine, named by the deploy id, whose input is the document's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fargate_ops import clock
from fargate_ops.errors import LeaseLostError, UntrustedDocumentError
from fargate_ops.models.deploy import DeployInput
from fargate_ops.models.structs import dump, field_names
from fargate_ops.observability import count, logger

if TYPE_CHECKING:
    from fargate_ops.aws.records import ApplicationRecord
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument

# Steps that run under the lease: each renews it first, and fails closed (LeaseLostError) without it.
LEASED_STEPS = frozenset(
    {
        "create_green_slot",
        "register_task_definition",
        "scale_up_green",
        "await_green",
        "route_test_traffic",
        "await_approval",
        "shift_traffic",
        "bake",
        "analyse",
        "finalize",
        "rollback",
    }
)
# After the lease was given back: checked against the records, no lease to renew (scale_down_old and
# manual_rollback take a short one of their own).
RELEASED_STEPS = frozenset({"release_lease", "rollback_window", "scale_down_old", "manual_rollback"})
# Fields Plan resolves from the application record: not the input's, so not in its digest.
RESOLVED = frozenset({"slots", "listener_arn"})
INPUT_DIGEST = "input_digest"


def input_digest(doc: DeployInput) -> str:
    """A digest of what was asked for (the input's fields as Plan kept them); the record keeps it."""
    asked = dump(doc, include=set(field_names(DeployInput)) - RESOLVED)
    return hashlib.sha256(json.dumps(asked, sort_keys=True, default=str).encode()).hexdigest()


def _slot_problem(name: str, doc_slot: Any, recorded: Any) -> str | None:
    if doc_slot is None or not isinstance(recorded, Mapping):
        return f"the document has no {name} slot" if doc_slot is None else f"the record has no {name} slot"
    for field in ("service", "target_group_arn"):
        if recorded.get(field) != getattr(doc_slot, field):
            return f"{name}.{field} differs from the record"
    return None


def _application_problem(doc: DeployDocument, app: ApplicationRecord | None) -> str | None:
    if app is None:
        return "the application has no record"
    if doc.listener_arn != app.listener_arn:
        return "listener_arn differs from the application's"
    if sorted(doc.slots or []) != sorted(app.slots):
        return "slots differ from the application's"
    for slot in (doc.live, doc.green):
        if slot is not None and app.target_groups.get(slot.service) != slot.target_group_arn:
            return f"{slot.service}'s target group differs from the application's"
    return None


def problem(doc: DeployDocument, record: Mapping[str, Any], app: ApplicationRecord | None) -> str | None:
    """What makes the document untrustworthy against the records, or None."""
    if record.get("execution") != doc.execution:
        return "execution differs from the deploy record's"
    if (record.get("cluster"), record.get("application")) != (doc.cluster, doc.application):
        return "cluster or application differs from the deploy record's"
    if record.get(INPUT_DIGEST) != input_digest(doc):
        return "the input differs from what the deploy was started with"
    for name, slot in (("live", doc.live), ("green", doc.green)):
        found = _slot_problem(name, slot, record.get(name))
        if found:
            return found
    recorded_definition = record.get("green_task_definition")
    if recorded_definition and doc.green is not None and doc.green.task_definition != recorded_definition:
        return "green.task_definition differs from the registered one"
    return _application_problem(doc, app)


def replayed(step: str, doc: DeployDocument, record: Mapping[str, Any]) -> str | None:
    """An earlier document of this very deploy handed in again (it would move traffic back), or None.

    Analyse is the one step that advances ``step_index`` and writes it to the record; Step Functions
    retries it with the same input when its answer is lost after that write, so its document may be
    one step behind (or any number, after an operator's full promote). Rollback is never refused for
    this: whatever document it holds, it puts traffic back on the live slot.
    """
    recorded = record.get("step_index")
    if step not in LEASED_STEPS or step == "rollback" or recorded is None:
        return None
    behind = int(recorded) - doc.step_index
    if behind <= 0:
        return None
    if step == "analyse" and (behind == 1 or int(recorded) == len(doc.steps) - 1):
        return None
    return f"step_index {doc.step_index} is behind the deploy record's {int(recorded)} (a replayed document)"


def refuse(step: str, doc: DeployDocument, why: str) -> UntrustedDocumentError:
    # Names only: the document's values (environment, images) are not logged.
    logger.warning(
        "refused an untrusted deploy document",
        extra={"step": step, "deploy_id": doc.deploy_id, "execution": doc.execution, "problem": why},
    )
    count("DeployDocumentRefused")
    return UntrustedDocumentError(f"{step}: {why}; nothing was changed")


def check(step: str, doc: DeployDocument, ctx: StepContext) -> None:
    """Refuse (UntrustedDocumentError, LeaseLostError) before the step acts; renew the lease."""
    if step not in LEASED_STEPS and step not in RELEASED_STEPS:
        return
    record = ctx.store.get_deploy(doc.deploy_id)
    if record is None:  # a deploy that never began (AcquireLease failed) has nothing to roll back either
        raise refuse(step, doc, "no deploy record by that id")
    why = problem(doc, record, ctx.store.get_application(doc.cluster, doc.application)) or replayed(
        step, doc, record
    )
    if why is not None:
        raise refuse(step, doc, why)
    if step not in LEASED_STEPS:
        return
    if ctx.store.renew_lease(
        doc.cluster, doc.application, doc.deploy_id, doc.execution, now=clock.now_epoch()
    ):
        return
    if step == "rollback":
        return  # rollback sees the lease is not ours, records why and touches nothing
    logger.warning("the lease is not this deploy's any more", extra={"step": step})
    count("DeployLeaseLost")
    raise LeaseLostError(
        f"{doc.application} in {doc.cluster}: deploy {doc.deploy_id} does not hold the lease any more; "
        f"{step} changed nothing"
    )
