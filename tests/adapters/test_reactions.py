"""The ECS events function's reactions, against a moto table and a fake Step Functions."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from fargate_ops.aws.store import Store, WaitRecord
from fargate_ops.models.events import parse_event
from fargate_ops.reactions.pipeline import react_deploy_waits
from fargate_ops.reactions.reactor import Reactor
from fargate_ops.settings import Settings

GREEN_REVISION = "arn:aws:ecs:eu-central-1:111111111111:task-definition/example-api-v1:20"
SINCE = 1_584_370_000.0  # before every sample's time (2020-03-16)
Loader = Callable[[str], dict[str, Any]]


@pytest.fixture
def reactor(settings: Settings, sfn: Any) -> Reactor:
    built = Reactor(settings)
    built.sfn = sfn  # type: ignore[assignment]
    # The deploy side alone, with its own reads (in the handler they share the watch side's Query).
    built.store = Store(built.client_factory("dynamodb"), settings.table_name)
    return built


def waiting(
    store: Store, cluster: str, service: str, token: str = "token-1", since: float = SINCE
) -> WaitRecord:
    wait = WaitRecord(
        cluster=cluster,
        service=service,
        task_token=token,
        deploy_id="d1",
        awaiting="steady_state",
        task_definition=GREEN_REVISION,
        since=since,
        expires_at=int(since + 86_400),
    )
    store.put_wait(wait)
    return wait


def crashed_task(load_event: Loader, n: int, version: int = 7) -> dict[str, Any]:
    """The real EssentialContainerExited sample, as task ``n`` of the green service ``example-api-v1``."""
    raw = copy.deepcopy(load_event("ecs-task-state-change-stopped-essential-container-exited.json"))
    raw["id"] = f"event-{n}-{version}"
    raw["detail"]["taskArn"] = f"arn:aws:ecs:eu-central-1:111111111111:task/test/{n:032x}"
    raw["detail"]["version"] = version
    return raw


def handle(raw: dict[str, Any], reactor: Reactor) -> str:
    """What the deploy side did with one event (the handler's ``outcome``)."""
    return str(react_deploy_waits(parse_event(raw), reactor))


# task stops --------------------------------------------------------------------------------------


def test_an_abnormal_stop_of_an_unwatched_service_costs_one_dynamodb_read(
    load_event: Loader, reactor: Reactor, api_calls: Callable[[str], Counter[str]]
) -> None:
    calls = api_calls("dynamodb")

    outcome = handle(crashed_task(load_event, 1), reactor)

    assert outcome == "ignored: nobody waits on the service"
    assert calls == Counter({"GetItem": 1})


def test_a_normal_stop_costs_no_dynamodb_call(
    load_event: Loader, reactor: Reactor, api_calls: Callable[[str], Counter[str]]
) -> None:
    calls = api_calls("dynamodb")
    raw = crashed_task(load_event, 1)
    raw["detail"]["stopCode"] = "ServiceSchedulerInitiated"
    raw["detail"]["stoppedReason"] = "Scaling activity initiated by (deployment ecs-svc/9300480928766973637)"

    assert handle(raw, reactor) == "ignored: normal stop"
    assert sum(calls.values()) == 0


def test_an_abnormal_stop_of_the_waited_green_service_is_counted_with_its_evidence(
    load_event: Loader, reactor: Reactor, store: Store
) -> None:
    waiting(store, "test", "example-api-v1")

    outcome = handle(crashed_task(load_event, 1), reactor)

    wait = store.get_wait("test", "example-api-v1", consistent=True)
    assert outcome == "counted"
    assert wait is not None and wait.abnormal_stops == 1
    assert wait.stops[0]["exit_codes"] == {"envoy": 0, "app": 2}
    assert wait.stops[0]["stop_code"] == "EssentialContainerExited"


def test_a_redelivered_task_event_is_counted_once(load_event: Loader, reactor: Reactor, store: Store) -> None:
    waiting(store, "test", "example-api-v1")

    outcomes = [handle(crashed_task(load_event, 1), reactor) for _ in range(2)]

    wait = store.get_wait("test", "example-api-v1", consistent=True)
    assert outcomes == ["counted", "duplicate"]
    assert wait is not None and wait.abnormal_stops == 1


def test_a_crash_counts_when_ecs_decides_to_stop_the_task_and_its_stopped_event_not_again(
    load_event: Loader, reactor: Reactor, store: Store
) -> None:
    waiting(store, "test", "example-api-v1")
    decided = crashed_task(load_event, 1, version=4)
    decided["detail"]["lastStatus"] = "RUNNING"  # desiredStatus STOPPED: minutes before STOPPED
    normal = crashed_task(load_event, 2, version=4)
    normal["detail"].update(lastStatus="RUNNING", stopCode="ServiceSchedulerInitiated")
    normal["detail"]["stoppedReason"] = (
        "Scaling activity initiated by (deployment ecs-svc/9300480928766973637)"
    )

    outcomes = [handle(raw, reactor) for raw in (decided, crashed_task(load_event, 1, version=7), normal)]

    wait = store.get_wait("test", "example-api-v1", consistent=True)
    assert outcomes == ["counted", "duplicate", "ignored: normal stop"]
    assert wait is not None and wait.abnormal_stops == 1


def test_the_third_abnormal_stop_fails_the_wait_with_the_evidence(
    load_event: Loader, reactor: Reactor, store: Store, sfn: Any
) -> None:
    waiting(store, "test", "example-api-v1")

    outcomes = [handle(crashed_task(load_event, n), reactor) for n in range(3)]

    assert outcomes == ["counted", "counted", "crash loop: wait failed"]
    [(token, error, cause)] = sfn.failures
    assert (token, error) == ("token-1", "GreenCrashLoopError")
    assert cause["abnormal_stops"] == 3 and len(cause["stops"]) == 3
    assert {s["stopped_reason"] for s in cause["stops"]} == {"Essential container in task exited"}
    assert store.get_wait("test", "example-api-v1", consistent=True) is not None  # rollback reads it


def test_a_stop_of_a_task_of_another_revision_does_not_count(
    load_event: Loader, reactor: Reactor, store: Store
) -> None:
    waiting(store, "test", "example-api-v1")
    raw = crashed_task(load_event, 1)
    raw["detail"]["taskDefinitionArn"] = GREEN_REVISION.replace(":20", ":19")

    assert handle(raw, reactor) == "ignored: a task of another revision"


# service actions ---------------------------------------------------------------------------------


def test_green_steady_state_completes_the_wait_and_deletes_it(
    load_event: Loader, reactor: Reactor, store: Store, sfn: Any
) -> None:
    waiting(store, "default", "servicetest", since=1_574_190_000.0)

    outcome = handle(load_event("ecs-service-action-service-steady-state.json"), reactor)

    assert outcome == "green ready: wait completed"
    assert [token for token, _ in sfn.successes] == ["token-1"]
    assert sfn.successes[0][1]["via"] == "event"
    assert store.get_wait("default", "servicetest", consistent=True) is None


def test_a_steady_state_whose_wait_another_invocation_just_ended_does_not_claim_it(
    load_event: Loader, reactor: Reactor, store: Store, sfn: Any
) -> None:
    # A copy of the same event, delivered at the same time: it read the WAIT item before the first
    # copy retired it, and Step Functions answers it that the task is over.
    waiting(store, "default", "servicetest", since=1_574_190_000.0)
    sfn.over.add("token-1")

    outcome = handle(load_event("ecs-service-action-service-steady-state.json"), reactor)

    assert outcome == "ignored: the readiness wait is already over"


def test_a_steady_state_from_before_green_was_updated_is_ignored(
    load_event: Loader, reactor: Reactor, store: Store, sfn: Any
) -> None:
    waiting(store, "default", "servicetest", since=1_574_199_999.0)  # after the sample's time

    outcome = handle(load_event("ecs-service-action-service-steady-state.json"), reactor)

    assert outcome == "ignored: steady state from before green was updated"
    assert sfn.successes == []


def test_a_steady_state_of_an_unwatched_service_costs_one_dynamodb_read(
    load_event: Loader, reactor: Reactor, api_calls: Callable[[str], Counter[str]]
) -> None:
    calls = api_calls("dynamodb")

    outcome = handle(load_event("ecs-service-action-service-steady-state.json"), reactor)

    assert outcome == "ignored: nobody waits on the service"
    assert calls == Counter({"GetItem": 1})


def test_a_placement_failure_of_green_is_kept_as_evidence_once(
    load_event: Loader, reactor: Reactor, store: Store
) -> None:
    waiting(store, "default", "servicetest", since=1_574_190_000.0)
    raw = load_event("ecs-service-action-service-task-placement-failure-fargate-spot.json")

    outcomes = [handle(raw, reactor) for _ in range(2)]

    wait = store.get_wait("default", "servicetest", consistent=True)
    assert outcomes == ["evidence recorded", "duplicate"]
    assert wait is not None and [e["reason"] for e in wait.service_events] == ["RESOURCE:FARGATE"]


def test_informational_service_actions_other_than_steady_state_cost_nothing(
    load_event: Loader, reactor: Reactor, api_calls: Callable[[str], Counter[str]]
) -> None:
    calls = api_calls("dynamodb")

    outcome = handle(load_event("ecs-service-action-capacity-provider-steady-state.json"), reactor)

    assert outcome == "ignored: informational"
    assert sum(calls.values()) == 0


# deployments, alarms, others ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "sample",
    [
        "ecs-deployment-state-change-service-deployment-failed.json",
        "ecs-deployment-state-change-service-deployment-in-progress-rollback.json",
    ],
)
def test_ecs_giving_up_on_greens_deployment_fails_the_wait(
    load_event: Loader, reactor: Reactor, store: Store, sfn: Any, sample: str
) -> None:
    waiting(store, "default", "servicetest", since=1_590_230_000.0)

    outcome = handle(load_event(sample), reactor)

    assert outcome == "green deployment failed: wait failed"
    [(token, error, cause)] = sfn.failures
    assert (token, error) == ("token-1", "GreenNotReadyError")
    assert "circuit breaker" in cause["reason"]


def test_a_progressing_deployment_needs_nothing(
    load_event: Loader, reactor: Reactor, api_calls: Callable[[str], Counter[str]]
) -> None:
    calls = api_calls("dynamodb")

    outcome = handle(load_event("ecs-deployment-state-change-service-deployment-in-progress.json"), reactor)

    assert outcome.startswith("ignored")
    assert sum(calls.values()) == 0


def test_every_real_sample_is_handled_without_error(aws_sample_file: Any, reactor: Reactor) -> None:
    outcome = handle(json.loads(aws_sample_file.read_text()), reactor)

    assert outcome.startswith("ignored")
