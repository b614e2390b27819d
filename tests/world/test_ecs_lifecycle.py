"""ECS behaviour of the simulator: task lifecycles, events, service counts, deployments."""

import threading
from typing import Any

import pytest

from tests.world.helpers import World, build_world, sample, two_slots

STOP_ONLY_KEYS = {"executionStoppedAt", "stoppingAt", "stoppedAt", "stoppedReason", "stopCode"}
CLUSTER = "fargate-ops-demo"


pytestmark = pytest.mark.usefixtures("aws")


def versions_by_task(world: World) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for event in world.sink.tasks():
        out.setdefault(event.detail["taskArn"], []).append(event.detail["version"])
    return out


def describe(world: World, service: str) -> dict[str, Any]:
    found: dict[str, Any] = world.client("ecs").describe_services(cluster=CLUSTER, services=[service])[
        "services"
    ][0]
    return found


def test_a_healthy_service_reaches_steady_state_with_real_shaped_events() -> None:
    world = build_world(**two_slots(blue=2, start="cold"))

    world.clock.advance(120)

    blue_arn = world.provisioned.services["web-blue"].arn
    steady = [e for e in world.sink.of("ECS Service Action") if e.resources == [blue_arn]]
    assert [e.detail["eventName"] for e in steady] == ["SERVICE_STEADY_STATE"]
    assert steady[0].detail.keys() == sample("ecs-service-action-service-steady-state")["detail"].keys()
    # Both tasks RUNNING at +30 s, then 2 health checks 5 s apart: healthy at +40 s.
    assert steady[0].time - world.clock.now() == -80

    running = world.sink.tasks("RUNNING")
    assert len(running) == 2
    keys = running[0].detail.keys()
    stopped_sample = sample("ecs-task-state-change-stopped-essential-container-exited")["detail"]
    assert sample("ecs-task-state-change-running-fargate")["detail"].keys() <= keys
    assert keys == stopped_sample.keys() - STOP_ONLY_KEYS
    container_keys = sample("ecs-task-state-change-running-fargate")["detail"]["containers"][0].keys()
    assert running[0].detail["containers"][0].keys() == container_keys
    assert running[0].detail["group"] == "service:web-blue"
    assert running[0].detail["startedBy"].startswith("ecs-svc/")

    deployment_events = [e for e in world.sink.of("ECS Deployment State Change") if e.resources == [blue_arn]]
    assert [e.detail["eventName"] for e in deployment_events] == [
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_COMPLETED",
    ]
    assert (
        deployment_events[1].detail.keys()
        == sample("ecs-deployment-state-change-service-deployment-completed")["detail"].keys()
    )
    assert (
        deployment_events[1].detail["updatedAt"].endswith("Z")
        and "." not in deployment_events[1].detail["updatedAt"]
    )

    service = describe(world, "web-blue")
    assert (service["runningCount"], service["pendingCount"]) == (2, 0)
    assert [(d["status"], d["rolloutState"]) for d in service["deployments"]] == [("PRIMARY", "COMPLETED")]
    task_arns = world.client("ecs").list_tasks(cluster=CLUSTER)["taskArns"]
    tasks = world.client("ecs").describe_tasks(cluster=CLUSTER, tasks=task_arns)["tasks"]
    assert sorted(t["lastStatus"] for t in tasks) == ["RUNNING", "RUNNING"]
    health = world.sim.target_health(
        world.tg("web-blue-tg"), tasks[0]["attachments"][0]["details"][4]["value"], 80
    )
    assert health == ("healthy", None, None)


def test_steady_state_is_announced_once_then_at_most_every_six_hours() -> None:
    world = build_world(**two_slots(blue=1, green=0, start="cold"), reconcile_seconds=60)
    blue_arn = world.provisioned.services["web-blue"].arn

    world.clock.advance(5 * 3600)
    assert len([e for e in world.sink.of("ECS Service Action") if e.resources == [blue_arn]]) == 1
    world.clock.advance(3600 + 600)
    assert len([e for e in world.sink.of("ECS Service Action") if e.resources == [blue_arn]]) == 2


def test_a_crashing_image_stops_with_its_exit_code_and_increasing_versions() -> None:
    world = build_world(
        **two_slots(blue=1),
        images={
            "web:v2": {
                "start_seconds": 10,
                "crash_after_seconds": 5,
                "exit_code": 137,
                "reason": "OutOfMemoryError: Container killed due to memory usage",
            }
        },
    )
    world.client("ecs").register_task_definition(
        family="web-green",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "app", "image": "web:v2", "memory": 512, "portMappings": [{"containerPort": 80}]}
        ],
    )

    world.client("ecs").update_service(
        cluster=CLUSTER, service="web-green", taskDefinition="web-green:2", desiredCount=1
    )
    world.clock.advance(600)

    stopped = world.sink.tasks("STOPPED")
    assert len(stopped) >= 3
    first = stopped[0].detail
    assert first["stopCode"] == "EssentialContainerExited"
    assert first["stoppedReason"] == "Essential container in task exited"
    assert first["containers"][0]["exitCode"] == 137
    assert first["containers"][0]["reason"].startswith("OutOfMemoryError")
    assert first.keys() == sample("ecs-task-state-change-stopped-essential-container-exited")["detail"].keys()
    for versions in versions_by_task(world).values():
        assert versions == sorted(set(versions)) and versions[0] == 1
    # PROVISIONING, PENDING, RUNNING, desiredStatus STOPPED, STOPPING, DEPROVISIONING, STOPPED: the real
    # sample of a crashed task is STOPPED at version 7.
    assert versions_by_task(world)[first["taskArn"]] == [1, 2, 3, 4, 5, 6, 7]
    assert (
        first["version"]
        == sample("ecs-task-state-change-stopped-essential-container-exited")["detail"]["version"]
    )
    impaired = world.sink.of("ECS Service Action", eventName="SERVICE_TASK_START_IMPAIRED")
    assert len(impaired) == 1 and impaired[0].detail["eventType"] == "WARN"
    assert (
        impaired[0].detail.keys() == sample("ecs-service-action-service-task-start-impaired")["detail"].keys()
    )
    assert describe(world, "web-green")["deployments"][0]["failedTasks"] == len(stopped)


def test_scale_in_stops_are_scheduler_initiated_and_drain_first() -> None:
    world = build_world(**two_slots(blue=3))
    world.clock.advance(30)

    world.client("ecs").update_service(cluster=CLUSTER, service="web-blue", desiredCount=1)
    world.clock.advance(5)
    # First the desired status changes (an event of its own), then the task starts draining.
    told = [e for e in world.sink.tasks("RUNNING") if e.detail["desiredStatus"] == "STOPPED"]
    assert len(told) == 2 and world.sink.tasks("DEACTIVATING") == []
    world.clock.advance(5)

    deactivating = world.sink.tasks("DEACTIVATING")
    assert len(deactivating) == 2
    assert all(e.detail["stopCode"] == "ServiceSchedulerInitiated" for e in deactivating)
    deployment_id = describe(world, "web-blue")["deployments"][0]["id"]
    assert all(
        e.detail["stoppedReason"] == f"Scaling activity initiated by (deployment {deployment_id})"
        for e in deactivating
    )
    draining = [t for t in world.sim.snapshot().targets if t.state == "draining"]
    assert len(draining) == 2

    world.clock.advance(60)  # the 10 s deregistration delay, then STOPPING, DEPROVISIONING, STOPPED

    stopped = world.sink.tasks("STOPPED")
    assert len(stopped) == 2 and all(e.detail["containers"][0]["exitCode"] == 0 for e in stopped)
    assert [t.state for t in world.sim.snapshot().targets] == ["healthy"]
    assert describe(world, "web-blue")["runningCount"] == 1
    steady = world.sink.of("ECS Service Action", eventName="SERVICE_STEADY_STATE")
    assert len(steady) == 1 and steady[0].time > stopped[-1].time - 1


def test_never_healthy_targets_never_become_healthy_and_ecs_replaces_their_tasks() -> None:
    world = build_world(**two_slots(blue=1, green=1), images={"web:bad": "never_healthy"})
    world.client("ecs").register_task_definition(
        family="web-green",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "web:bad", "memory": 512}],
    )
    world.client("ecs").update_service(cluster=CLUSTER, service="web-green", taskDefinition="web-green:2")
    green_tg = world.tg("web-green-tg")
    seen: set[str] = set()

    for _ in range(120):
        world.clock.advance(5)
        bad = [
            t
            for t in world.sim.snapshot().targets
            if t.target_group_arn == green_tg and t.task_arn in _tasks_of(world, "web:bad")
        ]
        seen |= {t.state for t in bad}

    assert "healthy" not in seen and "unhealthy" in seen
    replaced = [
        e for e in world.sink.tasks("DEACTIVATING") if e.detail["stoppedReason"].startswith("Task failed ELB")
    ]
    assert replaced and replaced[0].detail["stopCode"] == "ServiceSchedulerInitiated"
    assert (
        replaced[0].detail["stoppedReason"] == f"Task failed ELB health checks in (target-group {green_tg})"
    )
    # minimumHealthyPercent 100: the old, healthy green task stays while the new ones keep failing.
    old = [t for t in world.sim.snapshot().tasks_of("web-green", live_only=True) if t.image == "web:v1"]
    assert len(old) == 1 and old[0].healthy


def _tasks_of(world: World, image: str) -> set[str]:
    return {t.arn for t in world.sim.snapshot().tasks if t.image == image}


def test_a_new_task_definition_rolls_out_and_replaces_the_old_tasks() -> None:
    world = build_world(**two_slots(blue=2))
    world.client("ecs").register_task_definition(
        family="web-blue",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "web:v2", "memory": 512}],
    )

    world.client("ecs").update_service(cluster=CLUSTER, service="web-blue", taskDefinition="web-blue:2")
    world.clock.advance(40)  # new tasks RUNNING (+30 s) but not yet healthy

    assert [(d["status"], d["rolloutState"]) for d in describe(world, "web-blue")["deployments"]] == [
        ("PRIMARY", "IN_PROGRESS"),
        ("ACTIVE", "COMPLETED"),
    ]
    world.clock.advance(120)

    snapshot = world.sim.snapshot()
    live = snapshot.tasks_of("web-blue", live_only=True)
    assert sorted(t.image for t in live) == ["web:v2", "web:v2"] and all(t.healthy for t in live)
    assert [e.detail["eventName"] for e in world.sink.of("ECS Deployment State Change")] == [
        "SERVICE_DEPLOYMENT_IN_PROGRESS",
        "SERVICE_DEPLOYMENT_COMPLETED",
    ]
    assert [(d.status, d.rollout_state) for d in snapshot.services["web-blue"].deployments] == [
        ("PRIMARY", "COMPLETED")
    ]
    stops = world.sink.tasks("DEACTIVATING")
    assert len(stops) == 2 and all(
        e.detail["stoppedReason"].startswith("Scaling activity initiated by") for e in stops
    )


def test_force_new_deployment_replaces_tasks_under_moto_s_new_deployment_id() -> None:
    world = build_world(**two_slots(blue=1))

    world.client("ecs").update_service(cluster=CLUSTER, service="web-blue", forceNewDeployment=True)
    moto_id = describe(world, "web-blue")["deployments"][0]["id"]
    world.clock.advance(200)

    assert world.sink.of("ECS Deployment State Change")[0].detail["deploymentId"] == moto_id
    live = world.sim.snapshot().tasks_of("web-blue", live_only=True)
    assert [t.deployment_id for t in live] == [moto_id]


def test_stop_task_by_the_application_is_user_initiated_and_replaced() -> None:
    world = build_world(**two_slots(blue=1))
    victim = world.client("ecs").list_tasks(cluster=CLUSTER)["taskArns"][0]

    world.client("ecs").stop_task(cluster=CLUSTER, task=victim, reason="operator says so")
    world.clock.advance(120)

    stopped = [e for e in world.sink.tasks("STOPPED") if e.detail["taskArn"] == victim]
    assert stopped and (stopped[0].detail["stopCode"], stopped[0].detail["stoppedReason"]) == (
        "UserInitiated",
        "operator says so",
    )
    assert len(world.sim.snapshot().tasks_of("web-blue", live_only=True)) == 1
    assert victim not in {t.arn for t in world.sim.snapshot().tasks_of("web-blue", live_only=True)}


def test_describe_target_health_answers_from_the_simulator_through_the_moto_hook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.elbv2.models import FakeTargetGroup

    world = build_world(**two_slots(blue=1, start="cold"))
    monkeypatch.setattr(
        FakeTargetGroup, "health_for", lambda tg, target, ec2: world.sim.moto_health_hook(tg, target)
    )
    elbv2 = world.client("elbv2")

    world.clock.advance(30)
    first = elbv2.describe_target_health(TargetGroupArn=world.tg("web-blue-tg"))["TargetHealthDescriptions"]
    world.clock.advance(10)
    later = elbv2.describe_target_health(TargetGroupArn=world.tg("web-blue-tg"))["TargetHealthDescriptions"]

    assert [(d["TargetHealth"]["State"], d["TargetHealth"].get("Reason")) for d in first] == [
        ("initial", "Elb.RegistrationInProgress")
    ]
    assert [d["TargetHealth"]["State"] for d in later] == ["healthy"]


def test_the_update_service_hook_puts_ecs_s_counts_back_at_once() -> None:
    world = build_world(**two_slots(blue=2))
    world.client("ecs").register_task_definition(
        family="web-blue",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "web:v2", "memory": 512}],
    )
    world.client("ecs").update_service(
        cluster=CLUSTER, service="web-blue", taskDefinition="web-blue:2", desiredCount=3
    )
    assert describe(world, "web-blue")["runningCount"] == 3  # moto's own answer: no task has started

    hook = threading.Thread(target=world.sim.on_service_updated, args=(CLUSTER, "web-blue"))
    hook.start()  # as from a handler thread
    hook.join()

    service = describe(world, "web-blue")
    assert service["runningCount"] == 2
    assert [d["status"] for d in service["deployments"]] == ["PRIMARY", "ACTIVE"]
    assert world.sink.of("ECS Deployment State Change") == []  # waits for the driver thread
    world.clock.advance(0)
    assert [e.detail["deploymentId"] for e in world.sink.of("ECS Deployment State Change")] == [
        service["deployments"][0]["id"]
    ]


def test_a_deleted_service_stops_its_tasks_and_is_forgotten() -> None:
    world = build_world(**two_slots(blue=2))

    world.client("ecs").delete_service(cluster=CLUSTER, service="web-blue", force=True)
    world.clock.advance(60)

    assert len(world.sink.tasks("STOPPED")) == 2
    assert "web-blue" not in world.sim.snapshot().services
    assert world.sink.of("ECS Service Action") == []
