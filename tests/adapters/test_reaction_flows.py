"""The reactions outside deploys over several events (moto): crash loops, duplicates and reordering,
what a running deploy takes over, the outbox, concurrent writers, the rate limit, the calls each costs."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from fargate_ops import clients, clock
from fargate_ops.aws.records import ApplicationRecord, WaitRecord
from fargate_ops.aws.store import Store
from fargate_ops.aws.timeline_store import TimelineStore
from fargate_ops.models.events import parse_event
from fargate_ops.reactions.pipeline import react
from fargate_ops.reactions.reactor import Reactor
from fargate_ops.settings import Settings
from tests.adapters.reaction_helpers import (
    T0,
    Inbox,
    Loader,
    crashed_task,
    service_event,
    stopped_normally,
    subscribe,
    timeline,
)

CLUSTER, SERVICE = "test", "example-api-v1"
REGION = "us-east-1"


@pytest.fixture
def inbox(topic_arn: str) -> Inbox:
    return subscribe(topic_arn)


@pytest.fixture
def handle(settings: Settings, sfn: Any) -> Callable[[dict[str, Any]], str]:
    """What the handler does with one event: the deploy reactions first, then ours (our outcome)."""

    def run(raw: dict[str, Any]) -> str:
        reactor = Reactor(settings)
        reactor.sfn = sfn  # a fake Step Functions: the deploy reactions' tokens are not real here
        return str(react(parse_event(raw), reactor).watch)

    return run


def crash_messages(inbox: Inbox) -> list[dict[str, Any]]:
    return [m for m in inbox.messages() if m["body"]["fargate_ops"]["kind"] == "crash_loop"]


# crash loops ---------------------------------------------------------------------------------------


def test_three_crashes_make_one_notification_naming_the_exit_code_and_the_reason(
    load_event: Loader, handle: Any, inbox: Inbox
) -> None:
    outcomes = [handle(crashed_task(load_event, n)) for n in range(5)]

    [message] = inbox.messages()
    assert outcomes[2].startswith("crash loop: 3 abnormal stops")
    assert outcomes[3:] == ["crash loop continues: quiet"] * 2
    assert "is crash-looping: app exit 137 (OutOfMemoryError" in message["subject"]
    assert (
        "app exit 137 (OutOfMemoryError: Container killed due to memory usage)"
        in message["body"]["content"]["description"]
    )


def test_duplicated_and_reordered_crashes_still_make_exactly_one_notification(
    load_event: Loader, handle: Any, inbox: Inbox
) -> None:
    events = [crashed_task(load_event, n) for n in range(4)]
    delivered = [events[2], events[0], events[2], events[3], events[1], events[0], events[3]]

    outcomes = [handle(raw) for raw in delivered]

    assert len(inbox.messages()) == 1
    assert outcomes.count("ignored: duplicate event") == 3


def test_a_task_state_change_sent_twice_under_two_event_ids_acts_once(
    load_event: Loader, handle: Any, table: str
) -> None:
    first = handle(crashed_task(load_event, 1, event_id="a"))
    second = handle(crashed_task(load_event, 1, event_id="b"))  # same (taskArn, version)

    assert (first, second) == ("abnormal stop 1 of 3 in the window", "ignored: duplicate event")
    assert len(timeline(table, CLUSTER, SERVICE)) == 1


def test_an_older_version_of_a_task_arriving_late_is_ignored_as_stale(
    load_event: Loader, handle: Any
) -> None:
    handle(crashed_task(load_event, 1, version=7))

    assert handle(crashed_task(load_event, 1, version=5, event_id="late")) == "ignored: stale event"


def test_a_crash_loop_with_new_evidence_is_told_again(load_event: Loader, handle: Any, inbox: Inbox) -> None:
    for n in range(3):
        handle(crashed_task(load_event, n))
    different = crashed_task(load_event, 3)
    different["detail"]["containers"][1]["exitCode"] = 1
    different["detail"]["containers"][1]["reason"] = "panic: config missing"

    handle(different)

    subjects = [m["subject"] for m in inbox.messages()]
    assert len(subjects) == 2
    assert "still crash-looping, new evidence: app exit 1 (panic" in subjects[1]


def test_the_crash_loop_message_links_to_the_tasks_log_stream(
    load_event: Loader, handle: Any, inbox: Inbox
) -> None:
    definition = boto3.client("ecs", REGION).register_task_definition(
        family="example-api-v1",
        containerDefinitions=[
            {
                "name": "app",
                "image": "api:v7",
                "memory": 512,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": "/ecs/example-api",
                        "awslogs-region": "eu-central-1",
                        "awslogs-stream-prefix": "ecs",
                    },
                },
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    for n in range(3):
        raw = crashed_task(load_event, n)
        raw["detail"]["taskDefinitionArn"] = definition
        handle(raw)

    [message] = inbox.messages()
    logs = message["body"]["fargate_ops"]["logs"]
    assert logs["url"].startswith(
        "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1"
    )
    assert logs["url"].endswith(f"log-events/ecs$252Fapp$252F{2:032x}")


def test_the_timeline_keeps_every_stop_and_the_notification_newest_first(
    load_event: Loader, handle: Any, table: str
) -> None:
    for n in range(3):
        handle(crashed_task(load_event, n))

    entries = timeline(table, CLUSTER, SERVICE)

    assert [e.kind for e in entries] == ["notification", "task_stopped", "task_stopped", "task_stopped"]
    assert entries[1].detail["reaction"].startswith("crash loop: 3 abnormal stops")


# what is somebody else's business ------------------------------------------------------------------


def test_normal_stops_are_recorded_with_why_and_never_told(
    load_event: Loader, handle: Any, inbox: Inbox, table: str
) -> None:
    outcomes = [handle(stopped_normally(load_event, n)) for n in range(5)]

    assert set(outcomes) == {"recorded: task_stopped"}
    assert timeline(table, CLUSTER, SERVICE)[0].detail["why"] == "scale-in or replacement by a deployment"
    assert inbox.messages() == []


def test_a_service_a_fargate_ops_deploy_waits_on_is_recorded_but_left_to_the_deploy(
    load_event: Loader, handle: Any, store: Store, inbox: Inbox, sfn: Any
) -> None:
    store.put_wait(
        WaitRecord(
            CLUSTER, SERVICE, "token-1", "d1", "ready", "", since=T0 - 600, expires_at=int(time.time()) + 3600
        )
    )

    outcomes = [handle(crashed_task(load_event, n)) for n in range(3)]

    assert outcomes == ["recorded: task_stopped"] * 3
    assert [error for _, error, _ in sfn.failures] == ["GreenCrashLoopError"]  # the deploy's own reaction
    assert inbox.messages() == []


def test_the_idle_slot_of_a_fargate_ops_application_is_the_deploy_engines_business(
    load_event: Loader, handle: Any, store: Store, table: str, inbox: Inbox
) -> None:
    ddb = boto3.client("dynamodb", REGION)
    application = ApplicationRecord(
        CLUSTER, "example", (SERVICE, "example-api-v2"), "arn:listener", {}, "example-api-v2"
    )
    ddb.put_item(TableName=table, Item={k: v for k, v in _serialized(application.item()).items()})
    ddb.put_item(
        TableName=table,
        Item={
            "pk": {"S": f"SERVICE#{CLUSTER}#{SERVICE}"},
            "sk": {"S": "APP"},
            "application": {"S": "example"},
        },
    )

    outcomes = [handle(crashed_task(load_event, n)) for n in range(3)]

    assert outcomes[2] == f"{SERVICE} is the idle slot of example (live: example-api-v2); not told"
    assert inbox.messages() == []


def _serialized(item: dict[str, Any]) -> dict[str, Any]:
    from fargate_ops.aws.dynamo import serialize

    return serialize(item)


# ECS service warnings ------------------------------------------------------------------------------


def test_a_placement_failure_repeated_by_ecs_is_told_once_until_the_service_is_steady_again(
    load_event: Loader, handle: Any, inbox: Inbox
) -> None:
    placement = "ecs-service-action-service-task-placement-failure-fargate-spot.json"
    steady = "ecs-service-action-service-steady-state.json"

    handle(service_event(load_event, placement, at=T0, event_id="p1"))
    handle(service_event(load_event, placement, at=T0 + 60, event_id="p2"))
    handle(service_event(load_event, steady, at=T0 + 120, event_id="s1"))
    handle(service_event(load_event, placement, at=T0 + 180, event_id="p3"))

    assert len(inbox.messages()) == 2


def test_start_impaired_after_crashes_is_one_crash_loop_message(
    load_event: Loader, handle: Any, inbox: Inbox
) -> None:
    impaired = "ecs-service-action-service-task-start-impaired.json"
    for n in range(2):
        raw = crashed_task(load_event, n)
        raw["detail"]["clusterArn"] = "arn:aws:ecs:us-west-2:111122223333:cluster/default"
        raw["detail"]["group"] = "service:servicetest"
        handle(raw)

    handle(service_event(load_event, impaired, at=T0 + 50, event_id="i1"))
    third = crashed_task(load_event, 2)
    third["detail"]["clusterArn"] = "arn:aws:ecs:us-west-2:111122223333:cluster/default"
    third["detail"]["group"] = "service:servicetest"
    handle(third)

    [message] = inbox.messages()
    assert message["body"]["fargate_ops"]["kind"] == "crash_loop"
    assert message["body"]["fargate_ops"]["ecs_event"] == "SERVICE_TASK_START_IMPAIRED"


def test_start_impaired_before_any_stopped_event_is_still_one_crash_loop_message(
    load_event: Loader, handle: Any, inbox: Inbox, table: str
) -> None:
    """ECS tells SERVICE_TASK_START_IMPAIRED when it decides tasks failed, minutes before they are STOPPED:
    the decisions (desiredStatus STOPPED, exit codes known) are the crash loop's evidence."""
    impaired = "ecs-service-action-service-task-start-impaired.json"

    def of_servicetest(n: int, version: int, last_status: str) -> dict[str, Any]:
        raw = crashed_task(load_event, n, version=version, event_id=f"crash-{n}-{last_status}")
        raw["detail"].update(lastStatus=last_status, group="service:servicetest")
        raw["detail"]["clusterArn"] = "arn:aws:ecs:us-west-2:111122223333:cluster/default"
        return raw

    outcomes = [handle(of_servicetest(n, 4, "RUNNING")) for n in range(2)]
    outcomes.append(handle(service_event(load_event, impaired, at=T0 + 50, event_id="i1")))
    outcomes += [handle(of_servicetest(n, 7, "STOPPED")) for n in range(3)]

    [message] = inbox.messages()
    assert message["body"]["fargate_ops"]["kind"] == "crash_loop"
    assert outcomes[2].startswith("crash loop: SERVICE_TASK_START_IMPAIRED after 2 abnormal stop(s)")
    assert outcomes[3:5] == ["ignored: abnormal stop of this task counted already"] * 2
    assert [e.kind for e in timeline(table, "default", "servicetest")].count("task_stopped") == 3


# delivery guarantees -------------------------------------------------------------------------------


def test_a_notification_that_could_not_be_published_is_published_by_the_retry(
    load_event: Loader, handle: Any, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fargate_ops.aws.notifier import NotificationTopic
    from fargate_ops.errors import ThrottlingError

    for n in range(2):
        handle(crashed_task(load_event, n))
    original = NotificationTopic.publish

    def throttled(self: NotificationTopic, subject: str, message: str) -> str:
        raise ThrottlingError("sns:Publish: Throttling")

    monkeypatch.setattr(NotificationTopic, "publish", throttled)
    with pytest.raises(ThrottlingError):
        handle(crashed_task(load_event, 2))
    monkeypatch.setattr(NotificationTopic, "publish", original)

    a_minute_later = time.time() + 61  # Lambda retries a failed asynchronous invocation after ~1 minute
    clock.set_time_source(lambda: a_minute_later)
    retried = handle(crashed_task(load_event, 2))  # EventBridge's retry: the same event

    assert retried == "ignored: duplicate event"
    assert len(crash_messages(inbox)) == 1


def test_a_copy_delivered_while_the_first_may_still_be_publishing_leaves_the_notification_to_it(
    load_event: Loader, handle: Any, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fargate_ops.aws.notifier import NotificationTopic
    from fargate_ops.errors import ThrottlingError

    for n in range(2):
        handle(crashed_task(load_event, n))
    original = NotificationTopic.publish

    def throttled(self: NotificationTopic, subject: str, message: str) -> str:
        raise ThrottlingError("sns:Publish: Throttling")

    monkeypatch.setattr(NotificationTopic, "publish", throttled)
    with pytest.raises(ThrottlingError):
        handle(crashed_task(load_event, 2))  # wrote the notification to the outbox, not sent yet
    monkeypatch.setattr(NotificationTopic, "publish", original)
    now = time.time()
    clock.set_time_source(lambda: now)

    copy = handle(crashed_task(load_event, 2))  # EventBridge's second copy, at the same time

    assert copy == "ignored: duplicate event"
    assert crash_messages(inbox) == []  # its writer holds it: two copies must not both publish
    clock.set_time_source(lambda: now + 61)
    handle(crashed_task(load_event, 2))  # the writer's own retry, a minute later
    handle(crashed_task(load_event, 2))  # and a late copy after it
    assert len(crash_messages(inbox)) == 1


def test_a_concurrent_writer_makes_the_loser_read_again_and_still_tell_once(
    load_event: Loader, handle: Any, inbox: Inbox, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(2):
        handle(crashed_task(load_event, n))
    original = TimelineStore.snapshot
    raced = []

    def racing(self: TimelineStore, cluster: str, service: str, *, fresh: bool = False) -> Any:
        snapshot = original(self, cluster, service, fresh=fresh)
        if not raced:  # another invocation writes the service's state right after this one read it
            raced.append(True)
            boto3.client("dynamodb", REGION).update_item(
                TableName=table,
                Key={"pk": {"S": f"SERVICE#{cluster}#{service}"}, "sk": {"S": "REACTIONS"}},
                UpdateExpression="ADD rev :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
        return snapshot

    monkeypatch.setattr(TimelineStore, "snapshot", racing)

    outcome = handle(crashed_task(load_event, 2))

    assert outcome.startswith("crash loop: 3 abnormal stops")
    assert len(crash_messages(inbox)) == 1


def test_at_most_five_notifications_an_hour_per_service(
    load_event: Loader, handle: Any, inbox: Inbox, table: str
) -> None:
    names = [
        "ecs-service-action-service-task-placement-failure-fargate-spot.json",
        "ecs-service-action-service-task-start-impaired.json",
    ]
    for n in range(8):  # steady state in between re-opens each warning
        handle(service_event(load_event, names[n % 2], at=T0 + 60 * n, event_id=f"w{n}"))
        handle(
            service_event(
                load_event,
                "ecs-service-action-service-steady-state.json",
                at=T0 + 60 * n + 30,
                event_id=f"s{n}",
            )
        )

    kinds = Counter(e.kind for e in timeline(table, "default", "servicetest"))
    assert len(inbox.messages()) == 5
    assert kinds["notification_held_back"] == 3


# what it costs ---------------------------------------------------------------------------------------


def test_a_normal_stop_costs_one_dynamodb_call(
    load_event: Loader, handle: Any, api_calls: Callable[[str], Counter[str]]
) -> None:
    calls = api_calls("dynamodb")

    handle(stopped_normally(load_event, 1))

    assert calls == Counter({"TransactWriteItems": 1})


def test_an_abnormal_stop_reads_once_for_both_the_deploy_and_the_reactions_and_writes_once(
    load_event: Loader, handle: Any, api_calls: Callable[[str], Counter[str]]
) -> None:
    calls = api_calls("dynamodb")

    handle(crashed_task(load_event, 1))

    assert calls == Counter({"Query": 1, "TransactWriteItems": 1})


def test_the_events_store_reads_the_timeline_back_to_a_time(
    load_event: Loader, handle: Any, table: str
) -> None:
    for n in range(4):
        handle(stopped_normally(load_event, n))

    store = TimelineStore(clients.client("dynamodb"), table)
    recent = store.entries(CLUSTER, SERVICE, since=T0 + 45)
    limited = store.entries(CLUSTER, SERVICE, limit=2)

    assert [e.detail["task_id"][-1] for e in recent] == ["3", "2"]
    assert [e.detail["task_id"][-1] for e in limited] == ["3", "2"]


def test_a_redelivered_crash_costs_only_the_read_the_deploy_reaction_makes_anyway(
    load_event: Loader, handle: Any, api_calls: Callable[[str], Counter[str]]
) -> None:
    handle(crashed_task(load_event, 1))
    calls = api_calls("dynamodb")

    assert handle(crashed_task(load_event, 1)) == "ignored: duplicate event"
    assert calls == Counter({"Query": 1})


def test_a_wait_item_left_behind_after_it_ran_out_does_not_silence_the_service(
    load_event: Loader, handle: Any, store: Store, inbox: Inbox
) -> None:
    store.put_wait(WaitRecord(CLUSTER, SERVICE, "token-9", "d0", "ready", "", since=0.0, expires_at=1))

    for n in range(3):
        handle(crashed_task(load_event, n))

    assert len(crash_messages(inbox)) == 1
