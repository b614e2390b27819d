from __future__ import annotations

from typing import Any

import pytest

from fargate_ops.aws.store import ApplicationRecord, Store, WaitRecord
from fargate_ops.errors import DeployInputError, LeaseHeldError

NOW = 1_700_000_000.0


def begin(
    store: Store,
    deploy_id: str,
    *,
    execution: str | None = None,
    now: float = NOW,
    application: str = "web",
    slots: tuple[str, ...] = ("web-blue", "web-green"),
    routes: tuple[str, ...] = ("arn:listener",),
    **kwargs: Any,
) -> None:
    store.begin_deploy(
        cluster="prod",
        application=application,
        deploy_id=deploy_id,
        execution=execution or f"exec-{deploy_id}",
        now=now,
        lease_seconds=1800,
        deploy_record={"deploy_id": deploy_id, "status": "RUNNING"},
        new_application=kwargs.get("new_application"),
        slots=slots,
        routes=routes,
        ran_out=kwargs.get("ran_out"),
    )


def application() -> ApplicationRecord:
    return ApplicationRecord(
        cluster="prod",
        application="web",
        slots=("web-blue", "web-green"),
        listener_arn="arn:listener",
        target_groups={"web-blue": "tg-b", "web-green": "tg-g"},
        live_slot="web-blue",
    )


def wait(token: str = "token-1") -> WaitRecord:
    return WaitRecord(
        cluster="prod",
        service="web-green",
        task_token=token,
        deploy_id="d1",
        awaiting="steady_state",
        task_definition="web:2",
        since=NOW,
        expires_at=int(NOW + 86_400),
    )


def test_the_first_deploy_registers_the_application_with_its_lease(store: Store) -> None:
    begin(store, "d1", new_application=application())

    recorded = store.get_application("prod", "web")
    assert recorded is not None
    assert (recorded.slots, recorded.live_slot, recorded.last_deploy_id) == (
        ("web-blue", "web-green"),
        "web-blue",
        "d1",
    )
    lease = store.lease("prod", "web")
    assert lease is not None and lease.deploy_id == "d1"


def test_a_second_deploy_is_refused_while_the_first_holds_the_lease(store: Store) -> None:
    begin(store, "d1", new_application=application())

    with pytest.raises(LeaseHeldError, match="d1") as caught:
        begin(store, "d2", now=NOW + 60)

    assert caught.value.holder == "d1"


def test_a_refused_deploy_leaves_no_deploy_record(store: Store) -> None:
    begin(store, "d1", new_application=application())

    with pytest.raises(LeaseHeldError):
        begin(store, "d2", now=NOW + 60)

    assert store.get_deploy("d2") is None


def test_an_expired_lease_is_refused_with_the_lease_until_the_caller_takes_it_over(store: Store) -> None:
    begin(store, "d1", new_application=application())

    with pytest.raises(LeaseHeldError) as caught:
        begin(store, "d2", now=NOW + 1801)
    ran_out = caught.value.lease
    assert ran_out is not None and (ran_out.deploy_id, ran_out.execution) == ("d1", "exec-d1")

    begin(store, "d2", now=NOW + 1801, ran_out=ran_out)
    lease = store.lease("prod", "web")
    assert lease is not None and (lease.deploy_id, lease.execution) == ("d2", "exec-d2")


def test_a_lease_renewed_since_it_was_seen_expired_is_not_taken_over(store: Store) -> None:
    begin(store, "d1", new_application=application())
    with pytest.raises(LeaseHeldError) as caught:
        begin(store, "d2", now=NOW + 1801)

    assert store.renew_lease("prod", "web", "d1", "exec-d1", now=NOW + 1802)
    with pytest.raises(LeaseHeldError):
        begin(store, "d2", now=NOW + 1803, ran_out=caught.value.lease)


def test_renewing_pushes_the_expiry_by_the_leases_own_length(store: Store) -> None:
    begin(store, "d1", new_application=application())

    assert store.renew_lease("prod", "web", "d1", "exec-d1", now=NOW + 1000)

    lease = store.lease("prod", "web")
    assert lease is not None and lease.lease_expires_at == NOW + 1000 + 1800


def test_only_the_deploy_and_execution_that_hold_the_lease_renew_it(store: Store) -> None:
    begin(store, "d1", new_application=application())

    assert store.renew_lease("prod", "web", "d1", "another-execution", now=NOW + 10) is False
    assert store.renew_lease("prod", "web", "d2", "exec-d1", now=NOW + 10) is False
    lease = store.lease("prod", "web")
    assert lease is not None and lease.lease_expires_at == NOW + 1800


def test_a_slot_of_another_application_refuses_the_deploy_naming_its_owner(store: Store) -> None:
    begin(store, "d1", new_application=application())
    store.release_lease("prod", "web", "d1")

    with pytest.raises(LeaseHeldError, match="web-green belongs to application web") as caught:
        begin(store, "s1", application="shop", slots=("web-green", "shop-green"), routes=("arn:shop",))

    assert caught.value.holder == "web"
    assert store.lease("prod", "shop") is None and store.get_deploy("s1") is None
    assert store.owner("SERVICE#prod#shop-green") is None  # nothing of the refused transaction stays


def test_a_listener_of_another_application_refuses_the_deploy_naming_its_owner(store: Store) -> None:
    begin(store, "d1", new_application=application())

    with pytest.raises(LeaseHeldError, match="arn:listener belongs to application web"):
        begin(store, "s1", application="shop", slots=("shop-blue", "shop-green"))


def test_the_owner_items_name_the_application_of_each_slot_and_route(store: Store) -> None:
    begin(store, "d1", new_application=application(), routes=("arn:listener", "arn:test-listener"))

    owners = ["SERVICE#prod#web-blue", "SERVICE#prod#web-green", "LISTENER#arn:listener"]
    assert [store.owner(pk) for pk in [*owners, "LISTENER#arn:test-listener"]] == ["web"] * 4


def test_beginning_the_same_deploy_again_succeeds_as_a_retry(store: Store) -> None:
    begin(store, "d1", new_application=application())

    begin(store, "d1", now=NOW + 5, new_application=application())

    record = store.get_deploy("d1")
    assert record is not None and record["status"] == "RUNNING"


def test_a_deploy_id_used_by_another_execution_is_an_input_error_and_takes_no_lease(store: Store) -> None:
    begin(store, "d1", new_application=application())
    store.release_lease("prod", "web", "d1")

    with pytest.raises(DeployInputError, match="already used"):
        begin(store, "d1", execution="another-execution")

    assert store.lease("prod", "web") is None


def test_releasing_a_lease_that_is_not_ours_changes_nothing(store: Store) -> None:
    begin(store, "d1", new_application=application())

    assert store.release_lease("prod", "web", "d2") is False
    assert store.release_lease("prod", "web", "d1") is True
    assert store.lease("prod", "web") is None


def test_a_step_releases_only_the_lease_its_own_execution_holds(store: Store) -> None:
    begin(store, "d1", new_application=application())

    assert store.release_lease("prod", "web", "d1", "another-execution") is False
    assert store.lease("prod", "web") is not None
    assert store.release_lease("prod", "web", "d1", "exec-d1") is True


def test_acquiring_a_held_lease_alone_is_refused(store: Store) -> None:
    begin(store, "d1", new_application=application())

    with pytest.raises(LeaseHeldError):
        store.acquire_lease("prod", "web", "d2", now=NOW + 1, lease_expires_at=NOW + 300)


def test_updating_another_executions_deploy_record_does_nothing(store: Store) -> None:
    begin(store, "d1", new_application=application())

    assert store.update_deploy("d1", "someone-else", {"status": "FAILED"}) is False
    record = store.get_deploy("d1")
    assert record is not None and record["status"] == "RUNNING"


def test_weight_history_grows_by_appending(store: Store) -> None:
    begin(store, "d1", new_application=application())

    store.append_weights("d1", "exec-d1", {"at": "t1", "weights": {"tg-b": 0, "tg-g": 100}})
    store.append_weights("d1", "exec-d1", {"at": "t2", "weights": {"tg-b": 100, "tg-g": 0}})

    record = store.get_deploy("d1")
    assert record is not None
    assert [entry["at"] for entry in record["weight_history"]] == ["t1", "t2"]


def test_numbers_come_back_as_python_numbers(store: Store) -> None:
    store.put_wait(wait())

    loaded = store.get_wait("prod", "web-green", consistent=True)

    assert loaded == wait()
    assert isinstance(loaded.since, float) and isinstance(loaded.expires_at, int)


def test_a_task_stop_is_counted_once_per_event_key(store: Store) -> None:
    store.put_wait(wait())

    first = store.record_stop(wait(), event_key="TASK#t1#3", expires_at=1, stop={"task_arn": "t1"})
    again = store.record_stop(wait(), event_key="TASK#t1#3", expires_at=1, stop={"task_arn": "t1"})

    assert (first, again) == (True, False)
    loaded = store.get_wait("prod", "web-green", consistent=True)
    assert loaded is not None and loaded.abnormal_stops == 1 and len(loaded.stops) == 1


def test_a_stop_is_not_counted_in_a_newer_wait(store: Store) -> None:
    store.put_wait(wait("token-2"))

    assert store.record_stop(wait("token-1"), event_key="TASK#t1#3", expires_at=1, stop={}) is False
    loaded = store.get_wait("prod", "web-green", consistent=True)
    assert loaded is not None and loaded.abnormal_stops == 0


def test_completing_a_wait_deletes_it_once(store: Store) -> None:
    store.put_wait(wait())

    assert store.complete_wait(wait(), event_key="SERVICE_ACTION#e1", expires_at=1) is True
    assert store.complete_wait(wait(), event_key="SERVICE_ACTION#e2", expires_at=1) is False
    assert store.get_wait("prod", "web-green") is None


def test_a_wait_is_deleted_only_for_its_own_token(store: Store) -> None:
    store.put_wait(wait("token-2"))

    assert store.delete_wait("prod", "web-green", task_token="token-1") is False
    assert store.delete_wait("prod", "web-green", task_token="token-2") is True


def test_an_event_is_seen_only_once(store: Store) -> None:
    assert store.mark_seen("e1", expires_at=1) is True
    assert store.mark_seen("e1", expires_at=1) is False
