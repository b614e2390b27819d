"""`fargate-ops events CLUSTER/SERVICE`: the timeline the ECS events function wrote, read back (moto)."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from click.testing import CliRunner, Result

from fargate_ops import clients
from fargate_ops.aws.timeline_store import TimelineEntry, TimelineStore
from fargate_ops.models.events import parse_event
from fargate_ops.reactions.pipeline import react
from fargate_ops.reactions.reactor import Reactor
from fargate_ops.settings import Settings
from fargate_ops_cli.commands.events import events, parse_since
from tests.adapters.reaction_helpers import Loader, crashed_task, stopped_normally

REGION = "us-east-1"
SINCE_T0 = "2026-01-05T00:00:00Z"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(events, [*args, "--region", REGION])


@pytest.fixture
def recorded(load_event: Loader, settings: Settings) -> None:
    """Two normal stops and three crashes of example-api-v1 in cluster test (a crash loop, told)."""
    for raw in [stopped_normally(load_event, 10), stopped_normally(load_event, 11)] + [
        crashed_task(load_event, n) for n in range(3)
    ]:
        react(parse_event(raw), Reactor(settings))


def test_the_timeline_comes_back_newest_first_as_json(recorded: None, table: str) -> None:
    result = invoke("test/example-api-v1", "--since", SINCE_T0, "--table", table, "--output", "json")

    document = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert (document["cluster"], document["service"], document["table"]) == ("test", "example-api-v1", table)
    times = [e["at"] for e in document["entries"]]
    assert times == sorted(times, reverse=True)
    assert [e["kind"] for e in document["entries"]].count("task_stopped") == 5
    assert document["entries"][0]["kind"] == "notification"


def test_each_stop_keeps_its_stop_code_exit_codes_reasons_image_digest_and_task_definition(
    recorded: None, table: str
) -> None:
    result = invoke("test/example-api-v1", "--since", SINCE_T0, "--table", table, "--output", "json")

    crash = next(
        e for e in json.loads(result.stdout)["entries"] if e["detail"].get("classification") == "abnormal"
    )
    app = crash["detail"]["containers"][1]
    assert crash["detail"]["stop_code"] == "EssentialContainerExited"
    assert crash["detail"]["stopped_reason"] == "Essential container in task exited"
    assert (app["exit_code"], app["reason"]) == (
        137,
        "OutOfMemoryError: Container killed due to memory usage",
    )
    assert app["image_digest"].startswith("sha256:")
    assert crash["detail"]["task_definition"].endswith("task-definition/example-api-v1:20")


def test_the_text_output_shows_a_line_per_entry_and_what_fargate_ops_made_of_it(
    recorded: None, table: str
) -> None:
    result = invoke("test/example-api-v1", "--since", SINCE_T0, "--table", table)

    assert result.exit_code == 0, result.output
    assert "example-api-v1 in test: 6 entries" in result.output
    assert "-> crash loop: 3 abnormal stops within 600s: notify" in result.output
    assert "-> normal stop: recorded only" in result.output


def test_since_takes_a_duration_back_from_now(table: str) -> None:
    store = TimelineStore(clients.client("dynamodb"), table)
    now = time.time()
    for minutes_ago in (5, 50, 500):
        entry = TimelineEntry("prod", "web", now - 60 * minutes_ago, f"e{minutes_ago}", "deployment", "x")
        store.commit("prod", "web", guard=None, entries=[entry], entries_expire_at=0, guard_expires_at=0)

    result = invoke("prod/web", "--since", "1h", "--table", table, "--output", "json")

    assert [e["key"] for e in json.loads(result.stdout)["entries"]] == ["e5", "e50"]


def test_the_table_comes_from_the_stacks_outputs_by_default(recorded: None, table: str) -> None:
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            "OpsTableName": {"Value": table},
            "DeployStateMachineArn": {
                "Value": "arn:aws:states:us-east-1:123456789012:stateMachine:fargate-ops-deploy"
            },
        },
    }
    boto3.client("cloudformation", REGION).create_stack(
        StackName="fargate-ops", TemplateBody=json.dumps(template)
    )

    result = invoke("test/example-api-v1", "--since", SINCE_T0, "--output", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["table"] == table


def test_nothing_recorded_says_so(table: str) -> None:
    result = invoke("prod/quiet", "--table", table)

    assert result.exit_code == 0
    assert "nothing recorded for quiet in prod since" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["web"], "name the service as CLUSTER/SERVICE"),
        (["prod/web", "--since", "yesterday"], "give a duration"),
        (["prod/web", "--table", "no-such-table"], "cannot read the timeline from table 'no-such-table'"),
    ],
)
def test_bad_input_exits_2_and_says_what_to_fix(table: str, args: list[str], message: str) -> None:
    result = invoke(*args, "--output", "json")

    assert result.exit_code == 2
    assert message in json.loads(result.stdout)["error"]


def test_a_stack_that_is_not_there_is_the_environments_problem_exit_7(table: str) -> None:
    result = invoke("prod/web", "--stack", "no-such-stack", "--output", "json")

    assert result.exit_code == 7
    error = json.loads(result.stdout)
    assert error["problem"] == "no-stack"
    assert "no stack 'no-such-stack' in region us-east-1" in error["error"]


def test_durations_and_iso_times_are_both_understood() -> None:
    now = 1_767_600_000.0

    assert parse_since("1h30m", now) == now - 5400
    assert parse_since("2d", now) == now - 172_800
    assert parse_since("2026-01-05T09:00:00Z", now) == 1_767_603_600.0
