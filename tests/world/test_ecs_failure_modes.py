"""ECS failure modes of the simulator: failed starts, the circuit breaker, the health check grace period,
realistic stop times, failures of some tasks only, and Fargate Spot interruptions."""

from itertools import pairwise
from typing import Any

import pytest

from fargate_ops_cli.local.world.breaker import failure_threshold
from tests.world.helpers import Emitted, World, build_world, sample, two_slots

CLUSTER = "fargate-ops-demo"
STOPPED_SAMPLE = "ecs-task-state-change-stopped-essential-container-exited"

pytestmark = pytest.mark.usefixtures("aws")


def new_revision(world: World, family: str, image: str) -> str:
    arn: str = world.client("ecs").register_task_definition(
        family=family,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "app", "image": image, "memory": 512, "portMappings": [{"containerPort": 80}]}
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    return arn


def describe(world: World, service: str) -> dict[str, Any]:
    found: dict[str, Any] = world.client("ecs").describe_services(cluster=CLUSTER, services=[service])[
        "services"
    ][0]
    return found


def of_task(world: World, task_arn: str) -> list[Emitted]:
    return [e for e in world.sink.tasks() if e.detail["taskArn"] == task_arn]


def deployment_events(world: World) -> list[tuple[str, str, str]]:
    return [
        (e.detail["eventName"], e.detail["deploymentId"], e.detail["reason"])
        for e in world.sink.of("ECS Deployment State Change")
    ]


# -- TaskFailedToStart ---------------------------------------------------------------------------------


def test_an_image_that_cannot_be_pulled_stops_from_pending_with_task_failed_to_start() -> None:
    world = build_world(**two_slots(blue=1, green=0), images={"web:gone": "image_missing"})
    new_revision(world, "web-green", "web:gone")

    world.client("ecs").update_service(
        cluster=CLUSTER, service="web-green", taskDefinition="web-green:2", desiredCount=1
    )
    world.clock.advance(600)

    stopped = world.sink.tasks("STOPPED")
    assert len(stopped) >= 3
    first = stopped[0].detail
    assert (first["stopCode"], first["desiredStatus"]) == ("TaskFailedToStart", "STOPPED")
    assert first["stoppedReason"] == (
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
        "failed to resolve ref web:gone: web:gone: not found"
    )
    container = first["containers"][0]
    assert "exitCode" not in container and container["reason"] == first["stoppedReason"]
    # It never ran: no startedAt, no image pulled, and it went PENDING -> STOPPING -> STOPPED.
    assert {"startedAt", "pullStoppedAt"}.isdisjoint(first) and "pullStartedAt" in first
    statuses = [(e.detail["lastStatus"], e.detail["desiredStatus"]) for e in of_task(world, first["taskArn"])]
    assert statuses == [
        ("PROVISIONING", "RUNNING"),
        ("PENDING", "RUNNING"),
        ("PENDING", "STOPPED"),
        ("STOPPING", "STOPPED"),
        ("DEPROVISIONING", "STOPPED"),
        ("STOPPED", "STOPPED"),
    ]
    assert [e.detail["version"] for e in of_task(world, first["taskArn"])] == [1, 2, 3, 4, 5, 6]
    # ECS retries with back-off and says the service cannot start tasks.
    assert len(world.sink.of("ECS Service Action", eventName="SERVICE_TASK_START_IMPAIRED")) == 1
    launches = sorted({e.time for e in world.sink.tasks("PROVISIONING")})
    gaps = [b - a for a, b in pairwise(launches)]
    assert gaps[-1] > gaps[0]


def test_a_secret_that_cannot_be_fetched_fails_the_task_before_any_pull() -> None:
    world = build_world(**two_slots(blue=1, green=0), images={"web:v2": "secret_missing"})
    new_revision(world, "web-green", "web:v2")

    world.client("ecs").update_service(
        cluster=CLUSTER, service="web-green", taskDefinition="web-green:2", desiredCount=1
    )
    world.clock.advance(120)

    first = world.sink.tasks("STOPPED")[0].detail
    assert first["stopCode"] == "TaskFailedToStart"
    assert first["stoppedReason"].startswith(
        "ResourceInitializationError: unable to pull secrets or registry auth: "
    )
    assert "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-secret" in first["stoppedReason"]
    assert "pullStartedAt" not in first and "exitCode" not in first["containers"][0]


def test_tasks_already_running_keep_running_when_their_image_can_no_longer_be_pulled() -> None:
    world = build_world(**two_slots(blue=2), images={"web:v1": "image_missing"})

    world.client("ecs").update_service(cluster=CLUSTER, service="web-blue", desiredCount=3)
    world.clock.advance(120)

    assert len(world.sim.snapshot().tasks_of("web-blue", live_only=True)) >= 2
    assert [e.detail["stopCode"] for e in world.sink.tasks("STOPPED")][:1] == ["TaskFailedToStart"]
    assert describe(world, "web-blue")["runningCount"] == 2


# -- the deployment circuit breaker --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("desired", "threshold"), [(0, 3), (1, 3), (6, 3), (7, 4), (25, 13), (400, 200), (1000, 200)]
)
def test_the_circuit_breaker_threshold_is_half_the_desired_count_between_3_and_200(
    desired: int, threshold: int
) -> None:
    assert failure_threshold(desired) == threshold


def breaker_world(rollback: bool, desired: int = 2) -> World:
    services = [
        {
            "name": "web",
            "image": "web:v1",
            "desired_count": desired,
            "circuit_breaker": {"enable": True, "rollback": rollback},
        }
    ]
    return build_world(services=services, images={"web:v2": "image_missing"})


def test_the_circuit_breaker_fails_the_deployment_at_three_failed_tasks_and_rolls_back() -> None:
    world = breaker_world(rollback=True)
    completed = describe(world, "web")["deployments"][0]["id"]
    new_revision(world, "web", "web:v2")

    world.client("ecs").update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")
    world.clock.advance(900)

    events = deployment_events(world)
    names = [name for name, _, _ in events]
    assert names == [
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_FAILED",
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_COMPLETED",
    ]
    failed, rollback = events[1], events[2]
    assert failed[1] == events[0][1] and failed[2] == "ECS deployment circuit breaker: task failed to start."
    assert rollback[2] == f"ECS deployment circuit breaker: rolling back to deploymentId {completed}."
    assert rollback[1] not in (completed, failed[1]) and events[3][1] == rollback[1]
    for event, name in zip(
        world.sink.of("ECS Deployment State Change")[1:3],
        ["service-deployment-failed", "service-deployment-in-progress-rollback"],
        strict=True,
    ):
        assert event.detail.keys() == sample(f"ecs-deployment-state-change-{name}")["detail"].keys()
    # ECS failed it right after the third task failed (that task's event first), not later.
    decisions = [
        i
        for i, e in enumerate(world.sink.events)
        if e.detail.get("stopCode") == "TaskFailedToStart" and e.detail["lastStatus"] == "PENDING"
    ]
    failed_at = world.sink.events.index(world.sink.of("ECS Deployment State Change")[1])
    assert decisions[2] < failed_at < decisions[3]
    service = describe(world, "web")
    assert service["taskDefinition"].endswith("task-definition/web:1")
    assert [(d["status"], d["rolloutState"], d["taskDefinition"][-5:]) for d in service["deployments"]] == [
        ("PRIMARY", "COMPLETED", "web:1")
    ]
    live = world.sim.snapshot().tasks_of("web", live_only=True)
    assert sorted(t.image for t in live) == ["web:v1", "web:v1"] and all(t.healthy for t in live)


def test_without_rollback_a_failed_deployment_launches_nothing_more() -> None:
    world = breaker_world(rollback=False)
    new_revision(world, "web", "web:v2")

    world.client("ecs").update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")
    world.clock.advance(300)
    launched = len(world.sink.tasks("PROVISIONING"))
    world.clock.advance(1800)

    assert [name for name, _, _ in deployment_events(world)] == [
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_FAILED",
    ]
    assert len(world.sink.tasks("PROVISIONING")) == launched
    primary = describe(world, "web")["deployments"][0]
    assert (primary["rolloutState"], primary["rolloutStateReason"]) == (
        "FAILED",
        "ECS deployment circuit breaker: tasks failed to start.",
    )
    # minimumHealthyPercent 100: the old tasks still serve.
    old = world.sim.snapshot().tasks_of("web", live_only=True)
    assert [t.image for t in old] == ["web:v1", "web:v1"]


def test_a_task_that_becomes_healthy_resets_the_failure_count() -> None:
    world = breaker_world(rollback=True, desired=2)
    new_revision(world, "web", "web:v2")
    world.sim.set_image_behaviour("web:v2", {"crash_after_seconds": 5, "tasks": 2})

    world.client("ecs").update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")
    world.clock.advance(900)

    # Two tasks crashed (2 < 3), then healthy ones came: the deployment completes.
    assert [name for name, _, _ in deployment_events(world)] == [
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_COMPLETED",
    ]
    assert describe(world, "web")["deployments"][0]["failedTasks"] == 0


# -- the health check grace period ---------------------------------------------------------------------


def test_a_new_task_failing_health_checks_is_kept_for_the_grace_period_then_replaced() -> None:
    services = [
        {"name": "web", "image": "web:v1", "desired_count": 1, "health_check_grace_period_seconds": 120}
    ]
    world = build_world(services=services, images={"web:bad": "never_healthy"})
    new_revision(world, "web", "web:bad")

    world.client("ecs").update_service(cluster=CLUSTER, service="web", taskDefinition="web:2")
    world.clock.advance(600)

    bad = next(e for e in world.sink.tasks("RUNNING") if e.detail["containers"][0]["image"] == "web:bad")
    replaced = [
        e
        for e in world.sink.tasks()
        if e.detail["desiredStatus"] == "STOPPED"
        and e.detail["taskArn"] == bad.detail["taskArn"]
        and e.detail["lastStatus"] == "RUNNING"
    ]
    assert describe(world, "web")["healthCheckGracePeriodSeconds"] == 120
    # Unhealthy 10 s after RUNNING (5 s x 2 checks), ignored until the grace period is over.
    assert replaced[0].time - bad.time == 120
    assert replaced[0].detail["stoppedReason"].startswith("Task failed ELB health checks in (target-group ")
    assert replaced[0].detail["stopCode"] == "ServiceSchedulerInitiated"


# -- realistic stop times ------------------------------------------------------------------------------


def crashing_world(**extra: Any) -> World:
    world = build_world(
        **two_slots(blue=1, green=0),
        images={"web:v2": {"start_seconds": 10, "crash_after_seconds": 30, "exit_code": 3}},
        **extra,
    )
    new_revision(world, "web-green", "web:v2")
    world.client("ecs").update_service(
        cluster=CLUSTER, service="web-green", taskDefinition="web-green:2", desiredCount=1
    )
    world.clock.advance(400)
    return world


def test_a_crashed_task_takes_minutes_to_reach_stopped_as_in_the_real_sample() -> None:
    world = crashing_world(stop_timing={})  # the spec's defaults

    first = world.sink.tasks("STOPPED")[0]
    times = first.detail
    seconds = {k: _epoch(times[k]) for k in ("executionStoppedAt", "stoppingAt", "stoppedAt")}
    real = {k: _epoch(v) for k, v in sample(STOPPED_SAMPLE)["detail"].items() if k in seconds}
    exit_to_stopping = seconds["stoppingAt"] - seconds["executionStoppedAt"]
    stopping_to_stopped = seconds["stoppedAt"] - seconds["stoppingAt"]
    real_exit_to_stopping = real["stoppingAt"] - real["executionStoppedAt"]
    real_stopping_to_stopped = real["stoppedAt"] - real["stoppingAt"]
    assert abs(exit_to_stopping - real_exit_to_stopping) < 5
    assert abs(stopping_to_stopped - real_stopping_to_stopped) < 10
    # While it stops, DescribeTasks still shows it (desiredStatus STOPPED).
    assert [e.detail["version"] for e in of_task(world, times["taskArn"])] == [1, 2, 3, 4, 5, 6, 7]
    assert times["version"] == sample(STOPPED_SAMPLE)["detail"]["version"]


def test_stop_times_are_configurable_per_world() -> None:
    timing = {"after_exit_seconds": 10, "stopping_seconds": 20, "deprovisioning_seconds": 30}
    world = crashing_world(stop_timing=timing)

    arn = world.sink.tasks("STOPPED")[0].detail["taskArn"]
    at = {
        e.detail["lastStatus"]: e.time for e in of_task(world, arn) if e.detail["desiredStatus"] == "STOPPED"
    }
    told = next(e.time for e in of_task(world, arn) if e.detail["desiredStatus"] == "STOPPED")
    assert (
        at["STOPPING"] - told,
        at["DEPROVISIONING"] - at["STOPPING"],
        at["STOPPED"] - at["DEPROVISIONING"],
    ) == (
        10,
        20,
        30,
    )


def _epoch(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# -- failures of some tasks only -----------------------------------------------------------------------


def test_only_the_first_task_of_an_image_crashes_when_the_behaviour_names_one_task() -> None:
    world = build_world(
        services=[{"name": "web", "image": "web:v1", "desired_count": 3}],
        images={"web:v1": {"crash_after_seconds": 30, "exit_code": 139, "tasks": 1}},
    )
    first = world.sim.snapshot().tasks_of("web")[0].arn

    world.clock.advance(1200)

    stopped = world.sink.tasks("STOPPED")
    assert [(e.detail["taskArn"], e.detail["containers"][0]["exitCode"]) for e in stopped] == [(first, 139)]
    live = world.sim.snapshot().tasks_of("web", live_only=True)
    assert len(live) == 3 and all(t.healthy for t in live)


def test_a_behaviour_set_during_the_run_takes_the_oldest_tasks_first() -> None:
    world = build_world(services=[{"name": "web", "image": "web:v1", "desired_count": 3}])
    oldest = [t.arn for t in world.sim.snapshot().tasks_of("web")][:2]

    world.sim.set_image_behaviour("web:v1", {"crash_after_seconds": 10, "exit_code": 1, "tasks": 2})
    world.clock.advance(600)

    assert sorted(e.detail["taskArn"] for e in world.sink.tasks("STOPPED")) == sorted(oldest)


# -- Fargate Spot --------------------------------------------------------------------------------------


def spot_world() -> World:
    services = [{"name": "web", "image": "web:v1", "desired_count": 2, "capacity_provider": "FARGATE_SPOT"}]
    return build_world(services=services)


def test_a_spot_interruption_warns_two_minutes_ahead_then_stops_the_task_and_replaces_it() -> None:
    world = spot_world()
    victim = world.sim.snapshot().tasks_of("web")[0].arn
    world.clock.advance(30)

    assert world.sim.interrupt_spot("web", 1) == 1
    notice = of_task(world, victim)[0]
    partial = sample("ecs-task-state-change-fargate-spot-termination-notice.PARTIAL")["detail"]
    assert partial.keys() <= notice.detail.keys()
    assert {k: notice.detail[k] for k in ("lastStatus", "desiredStatus", "stopCode", "stoppedReason")} == {
        k: partial[k] for k in ("lastStatus", "desiredStatus", "stopCode", "stoppedReason")
    }
    assert notice.detail["capacityProviderName"] == "FARGATE_SPOT"
    world.clock.advance(5)
    assert len(world.sim.snapshot().tasks_of("web", live_only=True)) == 2  # replaced at once
    world.clock.advance(600)

    later = of_task(world, victim)[1:]
    stopping = next(e for e in later if e.detail["lastStatus"] == "STOPPING")
    assert stopping.time - notice.time == 120
    stopped = later[-1].detail
    assert (stopped["lastStatus"], stopped["stopCode"]) == ("STOPPED", "SpotInterruption")
    assert [e.detail["version"] for e in of_task(world, victim)] == [4, 5, 6, 7, 8]
    assert describe(world, "web")["runningCount"] == 2
    assert describe(world, "web")["capacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1}
    ]


def test_only_fargate_spot_tasks_are_interrupted() -> None:
    world = build_world(**two_slots(blue=2))

    assert world.sim.interrupt_spot("web-blue", 1) == 0
    world.clock.advance(60)
    assert world.sink.tasks() == []
