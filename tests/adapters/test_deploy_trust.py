"""Steps trust nothing they are handed: each document is checked against the deploy's record, the
application and the lease (renewed by every step) before the step acts (deploy/trust.py)."""

from __future__ import annotations

from typing import Any

import pytest

from fargate_ops import clock
from fargate_ops.aws.store import Store
from fargate_ops.deploy import record
from fargate_ops.deploy.context import StepContext
from fargate_ops.errors import LeaseHeldError, LeaseLostError, UntrustedDocumentError
from fargate_ops.models.deploy import parse_document
from tests.adapters.test_deploy_steps import EXECUTION, first_input, run, service, through, weights


def test_a_step_renews_the_lease_it_holds(world: Any, ctx: StepContext, store: Store) -> None:
    doc = through("acquire_lease", world, ctx)
    before = store.lease("prod", "web")
    clock.set_time_source(lambda: before.lease_expires_at - 60)  # type: ignore[union-attr]
    try:
        run("register_task_definition", doc, ctx)
    finally:
        clock.set_time_source(None)

    after = store.lease("prod", "web")
    assert before is not None and after is not None and after.lease_expires_at > before.lease_expires_at


def test_a_step_without_the_lease_fails_closed_and_changes_nothing(
    world: Any, ctx: StepContext, store: Store
) -> None:
    doc = through("await_green", world, ctx)
    store.release_lease("prod", "web", "d1")
    store.acquire_lease("prod", "web", "d2", now=clock.now_epoch(), lease_expires_at=clock.now_epoch() + 600)

    with pytest.raises(LeaseLostError, match="does not hold the lease"):
        run("shift_traffic", doc, ctx)

    assert weights(world) == {world.blue_tg: 100, world.green_tg: 0}


def test_a_document_pointing_at_another_listener_is_refused(world: Any, ctx: StepContext) -> None:
    doc = through("await_green", world, ctx)

    with pytest.raises(UntrustedDocumentError, match="listener_arn differs"):
        run("shift_traffic", {**doc, "listener_arn": world.rule_arn}, ctx)

    assert weights(world) == {world.blue_tg: 100, world.green_tg: 0}


def test_a_document_with_another_image_is_refused(world: Any, ctx: StepContext) -> None:
    doc = through("acquire_lease", world, ctx)
    forged = {**doc, "change": {"images": {"app": "attacker/web:latest"}}}

    with pytest.raises(UntrustedDocumentError, match="input differs"):
        run("register_task_definition", forged, ctx)


def test_a_document_with_another_green_task_definition_is_refused(world: Any, ctx: StepContext) -> None:
    doc = through("scale_up_green", world, ctx)
    forged = {**doc, "green": {**doc["green"], "task_definition": world.task_definition}}

    with pytest.raises(UntrustedDocumentError, match="task_definition"):
        run("shift_traffic", forged, ctx)


def test_a_document_of_another_execution_is_refused(world: Any, ctx: StepContext) -> None:
    doc = through("await_green", world, ctx)

    with pytest.raises(UntrustedDocumentError, match="execution differs"):
        run("shift_traffic", {**doc, "execution": EXECUTION + "-forged"}, ctx)


def test_an_earlier_document_of_the_same_deploy_handed_in_again_is_refused(
    world: Any, ctx: StepContext
) -> None:
    earlier = through("await_green", world, ctx)
    # The deploy went on: its record shows step 1 (as analyse writes it after a step's bake).
    record.save(ctx, parse_document({**earlier, "step_index": 1}), "step_index")

    with pytest.raises(UntrustedDocumentError, match="is behind the deploy record's 1"):
        run("shift_traffic", earlier, ctx)

    assert weights(world) == {world.blue_tg: 100, world.green_tg: 0}


def test_acquire_lease_refuses_a_document_whose_execution_has_ended(world: Any, ctx: StepContext) -> None:
    doc = run("plan", first_input(world), ctx)
    ctx.sfn.end(EXECUTION)  # type: ignore[attr-defined]

    with pytest.raises(UntrustedDocumentError, match="not running"):
        run("acquire_lease", doc, ctx)


def test_acquire_lease_refuses_a_document_whose_input_is_not_the_executions(
    world: Any, ctx: StepContext, store: Store
) -> None:
    doc = run("plan", first_input(world), ctx)

    with pytest.raises(UntrustedDocumentError, match="input differs"):
        run("acquire_lease", {**doc, "change": {"images": {"app": "attacker/web:latest"}}}, ctx)

    assert store.lease("prod", "web") is None


def test_a_lease_that_ran_out_is_not_taken_while_its_execution_runs(
    world: Any, ctx: StepContext, store: Store
) -> None:
    through("acquire_lease", world, ctx)
    held = store.lease("prod", "web")
    assert held is not None
    later = {"deploy_id": "d2", "cluster": "prod", "application": "web", "change": {"images": {"app": "w:2"}}}
    clock.set_time_source(lambda: held.lease_expires_at + 1)
    try:
        doc = run("plan", later, ctx)
        with pytest.raises(LeaseHeldError, match="still running"):
            run("acquire_lease", doc, ctx)
        ctx.sfn.end(EXECUTION)  # type: ignore[attr-defined]
        run("acquire_lease", doc, ctx)
    finally:
        clock.set_time_source(None)

    lease = store.lease("prod", "web")
    assert lease is not None and lease.deploy_id == "d2"
    assert service("web-green")["desiredCount"] == 0  # d1 had not scaled green yet: nothing to see


def test_analyse_retried_after_its_record_write_and_rollback_are_not_refused_as_replays(
    world: Any, ctx: StepContext
) -> None:
    from fargate_ops.deploy.trust import replayed

    linear = {"type": "linear", "step_percent": 25, "interval": "1m"}
    doc = parse_document({**through("await_green", world, ctx, strategy=linear), "step_index": 0})
    last = {"step_index": len(doc.steps) - 1}
    assert len(doc.steps) > 3

    assert replayed("analyse", doc, {"step_index": 1}) is None  # its answer was lost after the write
    assert replayed("analyse", doc, last) is None  # ... after an operator's full promote
    assert replayed("analyse", doc, {"step_index": 2}) is not None
    assert replayed("rollback", doc, last) is None
    assert replayed("shift_traffic", doc, {"step_index": 1}) is not None
    assert replayed("shift_traffic", doc, {"step_index": 0}) is None
